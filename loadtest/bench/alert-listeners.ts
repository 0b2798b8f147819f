// The dashboards that watch alerts while a run loads the system: WebSocket subscribers and a
// headless browser, started beside the load so that alert delivery is measured under it. The run
// waits until they listen (or failed to), and they listen a little past its sending, so that the
// last alerts of the window are counted.
import type { BrowserAlertBenchResult } from './browser-alerts.js';
import { BenchError } from './failure.js';
import type { Target } from './target.js';
import { runWsAlertBench, type WsAlertBenchResult } from './ws-alerts.js';

/** `ready` once the listeners listen, `done` with their figures after the run and a grace. */
export type AlertListener<T> = { readonly ready: Promise<void>; readonly done: Promise<T> };

const LISTEN_PAST_SENDING_MS = 5000;

function listening<T>(listenUntil: Promise<void>, start: (listenUntil: Promise<void>, onReady: () => void) => Promise<T>): AlertListener<T> {
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  const done = start(
    listenUntil.then(() => new Promise<void>((r) => setTimeout(r, LISTEN_PAST_SENDING_MS))),
    () => markReady(),
  );
  // A listener that failed to start must not hold the run: its failure comes out of `done`.
  done.catch(() => markReady());
  return { ready, done };
}

/** Opens the WebSocket subscribers. */
export function startWsSubscribers(target: Target, clients: number, listenUntil: Promise<void>, countFrom: () => number): AlertListener<WsAlertBenchResult> {
  if (!target.user) {
    throw new BenchError('--ws-clients needs a dashboard user: set RISKSTREAM_ADMIN_USER and RISKSTREAM_ADMIN_PASSWORD to a user of the running riskstream, or use --spawn');
  }
  const user = target.user;
  return listening(listenUntil, (until, onReady) =>
    runWsAlertBench({ baseUrl: target.baseUrl, username: user.username, password: user.password, clients, listenUntil: until, countFrom, onReady }),
  );
}

/** Opens the dashboard in headless Chromium, signed in as the WebSocket subscribers are (they check the user first). */
export function startBrowser(target: Target, listenUntil: Promise<void>, countFrom: () => number): AlertListener<BrowserAlertBenchResult> {
  const user = target.user!;
  // Loaded only here: playwright-core is needed for --browser alone.
  return listening(listenUntil, (until, onReady) =>
    import('./browser-alerts.js').then(({ runBrowserAlertBench }) =>
      runBrowserAlertBench({ baseUrl: target.baseUrl, username: user.username, password: user.password, listenUntil: until, countFrom, onReady }),
    ),
  );
}
