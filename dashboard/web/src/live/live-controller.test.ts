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

const hello = (protocol: number) => ({ type: 'hello', user: { username: 'ada', role: 'admin', displayName: 'Ada' }, serverTime: 1_000, topics: ['kpi'], protocol, build: null });

describe('connection state controller', () => {
  it('shows the upgrade notice of a connection that stopped for one before it was followed', () => {
    const { live, socket } = connectedLive();
    socket().push(hello(LIVE_PROTOCOL_VERSION + 1));
    expect(live.outdated).toBe(true);
    // an indicator made afterwards (another view opened) still says why nothing is live
    const state = new ConnectionStateController(host(), () => live);
    state.hostConnected();
    expect(state.status).toBe('offline');
    expect(state.notice).toEqual({ kind: 'upgraded' });
  });

  it('shows no notice for a connection that is fine', () => {
    const { live, socket } = connectedLive();
    socket().push(hello(LIVE_PROTOCOL_VERSION));
    const state = new ConnectionStateController(host(), () => live);
    state.hostConnected();
    expect(state.status).toBe('live');
    expect(state.notice).toBeNull();
  });
});
