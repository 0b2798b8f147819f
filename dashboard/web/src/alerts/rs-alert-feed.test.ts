// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AlertPageAnswer } from '../../../server/protocol.js';
import { fakeLayout } from '../test-support/happy-dom-shims.js';
import { FakeApi, connectedLive, makeAlert, settle } from '../test-support/fakes.js';
import './rs-alert-feed.js';
import type { RsAlertFeed } from './rs-alert-feed.js';

type Frame = () => void;

function setup(page: AlertPageAnswer = { alerts: [], nextCursor: null }) {
  const frames: Frame[] = [];
  const api = new FakeApi().on('GET', '/api/alerts', () => page);
  const { live, socket } = connectedLive();
  const feed = document.createElement('rs-alert-feed');
  feed.schedule = (callback) => frames.push(callback);
  feed.api = api;
  feed.live = live;
  document.body.append(feed);
  const runFrames = () => {
    while (frames.length > 0) frames.shift()!();
  };
  return { feed, api, live, socket, frames, runFrames };
}

function rows(feed: RsAlertFeed): HTMLElement[] {
  return [...feed.shadowRoot!.querySelectorAll<HTMLElement>('[data-testid="alert-row"]')];
}

/** The virtualizer lays out over a few microtasks and frames. */
async function layout(feed: RsAlertFeed): Promise<void> {
  for (let i = 0; i < 6; i += 1) {
    await settle(feed);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('alert feed', () => {
  let undoLayout: () => void = () => {};
  beforeEach(() => {
    document.body.innerHTML = '';
    undoLayout = fakeLayout();
  });
  afterEach(() => {
    undoLayout();
    document.body.innerHTML = '';
  });

  it('alert feed - renders a burst of pushed alerts in one frame', async () => {
    const { feed, socket, frames, runFrames } = setup();
    await settle(feed);
    const before = feed.renders;
    for (let i = 0; i < 300; i += 1) socket().push({ type: 'alert', alert: makeAlert() });
    expect(frames).toHaveLength(1);
    runFrames();
    await layout(feed);
    expect(feed.renders - before).toBe(1);
    const shown = rows(feed);
    console.log('rows', shown.length);
    expect(shown.length).toBeGreaterThan(0);
  });
});
