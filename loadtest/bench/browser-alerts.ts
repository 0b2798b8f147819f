// The browser alert-delivery benchmark: the real dashboard in headless Chromium, signed in through
// its sign-in page, showing the live alert feed, measuring for every alert the time from its
// decision (alert.createdAt, server clock) until its row is on screen, that is, in the list's
// viewport at the end of the frame that first shows it. The same machine's clock on both sides.
// It listens only: drive riskstream meanwhile (`riskstream bench`, the simulator, or k6).
//
// The page is instrumented, not changed: a script that runs before the app (PAGE_PROBE) notes each
// alert message as the tab's WebSocket receives it, watches every shadow root for alert rows, and
// after each frame checks which new rows lie inside the list's visible box.
import type { Page } from 'playwright-core';
import { launchChromium } from './chromium.js';

export type BrowserAlertBenchOptions = {
  readonly baseUrl: string;
  readonly username: string;
  readonly password: string;
  /** Seconds to listen for; or until `listenUntil` settles, when given. */
  readonly durationSeconds?: number;
  readonly listenUntil?: Promise<void>;
  /** Called once the feed shows and its alerts subscription is confirmed; measuring starts then. */
  readonly onReady?: () => void;
  /**
   * The creation time (epoch ms) from which alerts count; earlier ones (a load's warm-up) are
   * left out of every figure. Asked once, after the run; default: every alert counts.
   */
  readonly countFrom?: () => number;
  /** Browser window size; the feed's visible rows depend on its height (default 1400×1000). */
  readonly viewport?: { readonly width: number; readonly height: number };
};

/** Percentiles of one stage, in milliseconds (null when nothing was measured). */
export type DelayFigures = {
  readonly p50Ms: number | null;
  readonly p95Ms: number | null;
  readonly p99Ms: number | null;
  readonly maxMs: number | null;
};

export type BrowserAlertBenchResult = DelayFigures & {
  readonly durationSeconds: number;
  /** Alerts that arrived on the tab's socket during the run (created from countFrom on). */
  readonly received: number;
  /** Of those, alerts whose row was on screen: the figures above are theirs (decision to on screen). */
  readonly alerts: number;
  /** Received during the run but never on screen (pushed out between frames, feed paused, over the buffer). */
  readonly notRendered: number;
  /** Decision to the message in the page's WebSocket, for every alert received. */
  readonly socket: DelayFigures;
  /** Message in the page to row on screen (the feed's per-frame batching, rendering, layout). */
  readonly render: DelayFigures;
  /** Message in the page to the next animation frame, when the feed's FrameBatcher hands it over. */
  readonly frameWait: DelayFigures;
  /** Message in the page to row in the DOM (before layout and paint). */
  readonly toDom: DelayFigures;
  /** Animation frames per second the page ran at (about 60 unless the browser was starved). */
  readonly framesPerSecond: number;
  readonly missedNotices: number;
  readonly missedAlerts: number;
  /** Uncaught errors in the page (the first few). */
  readonly pageErrors: readonly string[];
};

const READY_TIMEOUT_MS = 30_000;
/** After the run, time for alerts received in its last moment to reach the screen. */
const SETTLE_MS = 1_000;

/**
 * Runs in the page before the app's scripts (page.addInitScript). Plain browser JavaScript, kept as
 * text so that this Node module needs no DOM types. Exposes window.__rsAlertProbe.
 */
const PAGE_PROBE = String.raw`(() => {
  if (window.__rsAlertProbe) return;
  const ROW = '[data-testid="alert-row"]';
  const probe = {
    subscribedAlerts: false,
    // id -> [createdAt, receivedAt, frameAt]; id -> insertedAt; id -> visibleAt (page clock, Date.now()).
    // frameAt is the start of the first animation frame after the message: the feed's FrameBatcher
    // hands alerts over then, so frameAt - receivedAt is what the per-frame batching costs.
    received: new Map(),
    inserted: new Map(),
    visible: new Map(),
    missedNotices: 0,
    missedAlerts: 0,
    frames: 0,
    start: null,
    end: null,
    begin() { this.start = Date.now(); this.frames = 0; this.missedNotices = 0; this.missedAlerts = 0; },
    finish() { this.end = Date.now(); this.framesAtEnd = this.frames; },
    collect() {
      return {
        start: this.start,
        end: this.end,
        frames: this.framesAtEnd ?? this.frames,
        received: [...this.received].map(([id, v]) => [id, v[0], v[1], v[2] ?? null]),
        inserted: [...this.inserted],
        visible: [...this.visible],
        missedNotices: this.missedNotices,
        missedAlerts: this.missedAlerts,
      };
    },
  };
  window.__rsAlertProbe = probe;

  // The socket: a subclass whose own listener is added in the constructor, so it runs before the
  // app's onmessage and notes the arrival before the app does anything with the message.
  const NativeWebSocket = window.WebSocket;
  let beforeFrame = [];
  const onSocketMessage = (event) => {
    const at = Date.now();
    if (typeof event.data !== 'string') return;
    let message;
    try { message = JSON.parse(event.data); } catch { return; }
    if (message.type === 'alert' && message.alert && !probe.received.has(message.alert.id)) {
      const noted = [message.alert.createdAt, at, null];
      probe.received.set(message.alert.id, noted);
      beforeFrame.push(noted);
    } else if (message.type === 'subscribed' && message.topic === 'alerts') {
      probe.subscribedAlerts = true;
    } else if (message.type === 'missed' && message.topic === 'alerts') {
      probe.missedNotices += 1;
      probe.missedAlerts += message.count || 0;
    }
  };
  class ProbedWebSocket extends NativeWebSocket {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', onSocketMessage);
    }
  }
  window.WebSocket = ProbedWebSocket;

  // The rows: MutationObserver does not cross shadow roots, so every shadow root is observed as it
  // is attached (before any component renders into it), and the document itself.
  const waiting = new Map(); // id -> row element inserted but not yet seen on screen
  const noteRow = (row, at) => {
    const id = row.getAttribute('data-alert-id');
    if (!id || probe.visible.has(id)) return;
    if (!probe.inserted.has(id)) probe.inserted.set(id, at);
    waiting.set(id, row);
  };
  const observer = new MutationObserver((records) => {
    const at = Date.now();
    for (const record of records) {
      if (record.type === 'attributes') {
        if (record.target.matches(ROW)) noteRow(record.target, at);
        continue;
      }
      for (const node of record.addedNodes) {
        if (node.nodeType !== 1) continue;
        if (node.matches(ROW)) noteRow(node, at);
        for (const row of node.querySelectorAll(ROW)) noteRow(row, at);
      }
    }
  });
  const OBSERVE = { childList: true, subtree: true, attributes: true, attributeFilter: ['data-alert-id'] };
  const nativeAttachShadow = Element.prototype.attachShadow;
  Element.prototype.attachShadow = function attachShadow(init) {
    const root = nativeAttachShadow.call(this, init);
    observer.observe(root, OBSERVE);
    return root;
  };
  observer.observe(document, OBSERVE);

  // On screen: a task posted from an animation-frame callback runs once that frame's style, layout
  // and paint are done, so rows inserted before or during the frame are checked as that frame
  // shows them. A row counts when its box overlaps the visible box of its list.
  const channel = new MessageChannel();
  channel.port1.onmessage = () => {
    if (waiting.size === 0) return;
    const at = Date.now();
    for (const [id, row] of waiting) {
      if (!row.isConnected) { waiting.delete(id); continue; }
      const list = row.closest('[data-testid="alert-list"]');
      const box = row.getBoundingClientRect();
      const frame = list ? list.getBoundingClientRect() : { top: 0, bottom: window.innerHeight };
      if (box.height > 0 && box.bottom > frame.top && box.top < frame.bottom && box.top < window.innerHeight) {
        probe.visible.set(id, at);
        waiting.delete(id);
      }
    }
  };
  const onFrame = () => {
    probe.frames += 1;
    if (beforeFrame.length > 0) {
      const at = Date.now();
      for (const noted of beforeFrame) noted[2] = at;
      beforeFrame = [];
    }
    channel.port2.postMessage(0);
    requestAnimationFrame(onFrame);
  };
  requestAnimationFrame(onFrame);
})();`;

type ProbeData = {
  readonly start: number;
  readonly end: number;
  readonly frames: number;
  readonly received: ReadonlyArray<readonly [string, number, number, number | null]>;
  readonly inserted: ReadonlyArray<readonly [string, number]>;
  readonly visible: ReadonlyArray<readonly [string, number]>;
  readonly missedNotices: number;
  readonly missedAlerts: number;
};

/** Nearest-rank percentiles of a list of delays. */
export function delayFigures(values: readonly number[]): DelayFigures {
  if (values.length === 0) return { p50Ms: null, p95Ms: null, p99Ms: null, maxMs: null };
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((q / 100) * sorted.length) - 1))]!;
  return { p50Ms: at(50), p95Ms: at(95), p99Ms: at(99), maxMs: sorted[sorted.length - 1]! };
}

/**
 * Turns what the page noted into the figures: only alerts that arrived between begin and finish
 * and were created from `countFrom` (epoch ms) on.
 */
export function summarizeProbe(data: ProbeData, durationSeconds: number, pageErrors: readonly string[], countFrom = Number.NEGATIVE_INFINITY): BrowserAlertBenchResult {
  const inserted = new Map(data.inserted);
  const visible = new Map(data.visible);
  const toScreen: number[] = [];
  const toSocket: number[] = [];
  const render: number[] = [];
  const toDom: number[] = [];
  const frameWait: number[] = [];
  let received = 0;
  for (const [id, createdAt, receivedAt, frameAt] of data.received) {
    if (receivedAt < data.start || receivedAt > data.end || createdAt < countFrom) continue;
    received++;
    toSocket.push(receivedAt - createdAt);
    if (frameAt !== null) frameWait.push(frameAt - receivedAt);
    const insertedAt = inserted.get(id);
    if (insertedAt !== undefined) toDom.push(insertedAt - receivedAt);
    const visibleAt = visible.get(id);
    if (visibleAt === undefined) continue;
    toScreen.push(visibleAt - createdAt);
    render.push(visibleAt - receivedAt);
  }
  const seconds = (data.end - data.start) / 1000;
  return {
    durationSeconds,
    received,
    alerts: toScreen.length,
    notRendered: received - toScreen.length,
    ...delayFigures(toScreen),
    socket: delayFigures(toSocket),
    render: delayFigures(render),
    frameWait: delayFigures(frameWait),
    toDom: delayFigures(toDom),
    framesPerSecond: seconds > 0 ? Math.round(data.frames / seconds) : 0,
    missedNotices: data.missedNotices,
    missedAlerts: data.missedAlerts,
    pageErrors: pageErrors.slice(0, 5),
  };
}

async function signInThroughPage(page: Page, options: BrowserAlertBenchOptions): Promise<void> {
  await page.goto(options.baseUrl);
  await page.getByTestId('login-username').fill(options.username);
  await page.getByTestId('login-password').fill(options.password);
  await page.getByTestId('login-submit').click();
  const signedIn = page.getByTestId('sign-out').waitFor({ timeout: READY_TIMEOUT_MS }).then(() => true);
  const refused = page.getByTestId('login-error').waitFor({ timeout: READY_TIMEOUT_MS }).then(() => false);
  if (!(await Promise.race([signedIn, refused.catch(() => new Promise<boolean>(() => undefined))]))) {
    throw new Error(`the dashboard refused the sign-in as ${options.username}`);
  }
}

async function pollPage(page: Page, expression: string, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await page.evaluate(expression)) !== true) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function runBrowserAlertBench(options: BrowserAlertBenchOptions): Promise<BrowserAlertBenchResult> {
  const browser = await launchChromium();
  try {
    const context = await browser.newContext({ viewport: options.viewport ?? { width: 1400, height: 1000 }, locale: 'en-US' });
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.addInitScript(PAGE_PROBE);
    await signInThroughPage(page, options);
    await page.evaluate(`window.location.hash = '#/alerts'`);
    const list = page.getByTestId('alert-list');
    await list.waitFor({ timeout: READY_TIMEOUT_MS });
    // Polled with plain evaluations: waitForFunction compiles its predicate inside the page, which
    // the dashboard's Content-Security-Policy (no 'unsafe-eval') rightly refuses.
    await pollPage(page, 'window.__rsAlertProbe.subscribedAlerts === true', READY_TIMEOUT_MS, 'the alert feed to subscribe');
    // New alerts go on top: keep the list scrolled there so they land in its visible box.
    await list.evaluate((element: unknown) => void ((element as { scrollTop: number }).scrollTop = 0));
    await page.evaluate('window.__rsAlertProbe.begin()');
    options.onReady?.();
    const listenStart = Date.now();
    await (options.listenUntil ?? new Promise((resolve) => setTimeout(resolve, (options.durationSeconds ?? 0) * 1000)));
    const listenedS = Math.round((Date.now() - listenStart) / 1000);
    await page.evaluate('window.__rsAlertProbe.finish()');
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    const data = (await page.evaluate('window.__rsAlertProbe.collect()')) as ProbeData;
    return summarizeProbe(data, listenedS, pageErrors, options.countFrom?.());
  } finally {
    await browser.close();
  }
}

/** The figures as lines for a terminal. */
export function formatBrowserAlertBench(r: BrowserAlertBenchResult): string {
  const ms = (v: number | null) => (v === null ? '-' : `${v} ms`);
  const figures = (f: DelayFigures) => `p50 ${ms(f.p50Ms)}, p95 ${ms(f.p95Ms)}, p99 ${ms(f.p99Ms)}, max ${ms(f.maxMs)}`;
  const lines = [
    `browser alerts: headless Chromium on the alert feed for ${r.durationSeconds} s, ${r.framesPerSecond} frames/s`,
    `  alerts: ${r.received} received by the page, ${r.alerts} on screen, ${r.notRendered} never on screen`,
    `  decision to on screen: ${figures(r)}`,
    `    decision to the page's socket: ${figures(r.socket)}`,
    `    socket to the next animation frame (the feed's per-frame batching): ${figures(r.frameWait)}`,
    `    socket to row in the DOM: ${figures(r.toDom)}`,
    `    socket to on screen (frame batching, render, layout): ${figures(r.render)}`,
    `  missed: ${r.missedNotices} notices for ${r.missedAlerts} alerts`,
  ];
  if (r.pageErrors.length > 0) lines.push(`  page errors: ${r.pageErrors.join('; ')}`);
  return lines.join('\n');
}
