// The connection indicator's controller: what it shows of a connection it starts to follow.
import { describe, expect, it } from 'vitest';
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { LIVE_PROTOCOL_VERSION } from '../../../server/protocol.js';
import { connectedLive } from '../test-support/fakes.js';
import { ConnectionStateController } from './live-controller.js';

function host(): ReactiveControllerHost & { updates: number } {
  const controllers: ReactiveController[] = [];
  return {
    updates: 0,
    addController: (c) => void controllers.push(c),
    removeController: () => undefined,
    requestUpdate() {
      this.updates += 1;
    },
    updateComplete: Promise.resolve(true),
  };
}

const hello = (protocol: number, build: string | null = null) => ({ type: 'hello', user: { username: 'ada', role: 'admin', displayName: 'Ada' }, serverTime: 1_000, topics: ['kpi'], protocol, build });

describe('connection state controller', () => {
  it('shows the upgrade notice of a connection that stopped for one before it was followed', () => {
    const { live, socket } = connectedLive();
    socket().push(hello(LIVE_PROTOCOL_VERSION + 1));
    expect(live.outdated).toBe(true);
    // an indicator made afterwards (another view opened) still says why nothing is live
    const state = new ConnectionStateController(host(), () => live);
    state.hostConnected();
    expect(state.status).toBe('offline');
    expect(state.notices).toEqual([{ kind: 'upgraded' }]);
  });

  it('shows no notice for a connection that is fine', () => {
    const { live, socket } = connectedLive();
    socket().push(hello(LIVE_PROTOCOL_VERSION));
    const state = new ConnectionStateController(host(), () => live);
    state.hostConnected();
    expect(state.status).toBe('live');
    expect(state.notices).toEqual([]);
  });

  it('keeps the offer of a new build when later notices come (missed alerts, a server error)', () => {
    const { live, socket } = connectedLive({ version: { protocol: LIVE_PROTOCOL_VERSION, build: 'aaaa1111' } });
    const state = new ConnectionStateController(host(), () => live);
    state.hostConnected();
    live.subscribe({ type: 'subscribe', topic: 'alerts' }, () => {});
    socket().push(hello(LIVE_PROTOCOL_VERSION, 'bbbb2222'));
    socket().push({ type: 'missed', topic: 'alerts', count: 3, since: 900 });
    socket().push({ type: 'error', code: 'RS_ERR_FORBIDDEN', message: 'not for your roles' });
    expect(state.notices).toEqual([{ kind: 'new-build' }, { kind: 'reload', count: 3 }]);
    state.dismissNotice('missed');
    expect(state.notices).toEqual([{ kind: 'new-build' }]);
  });

  it('shows the offer of a new build raised before it followed the connection', () => {
    const { live, socket } = connectedLive({ version: { protocol: LIVE_PROTOCOL_VERSION, build: 'aaaa1111' } });
    socket().push(hello(LIVE_PROTOCOL_VERSION, 'bbbb2222'));
    const state = new ConnectionStateController(host(), () => live);
    state.hostConnected();
    expect(state.notices).toEqual([{ kind: 'new-build' }]);
  });
});
