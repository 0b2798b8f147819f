// The dashboard WebSocket benchmark: N subscribers to the alerts topic of a running riskstream,
// measuring for every alert the time from its creation (alert.createdAt, server clock) to its
// arrival here, with each client's count and the `missed` notices the server sent. It listens
// only: drive riskstream meanwhile (the simulator, `riskstream bench`, or k6) so that alerts flow.
import { build as buildHistogram } from 'hdr-histogram-js';
import WebSocket from 'ws';

export type WsAlertBenchOptions = {
  readonly baseUrl: string;
  readonly username: string;
  readonly password: string;
  /** Sockets to open (each subscribes to every alert its user may see). */
  readonly clients?: number;
  /** Seconds to listen for; or until `listenUntil` settles, when given. */
  readonly durationSeconds?: number;
  readonly listenUntil?: Promise<void>;
  /** TOTP code, for a user with a second factor. */
  readonly totp?: string;
  /** Called once every client has subscribed and measuring starts (with how many subscribed). */
  readonly onReady?: (subscribed: number) => void;
  /**
   * The creation time (epoch ms) from which alerts count; earlier ones (a load's warm-up) are
   * received but left out of every figure. Asked on each alert; default: every alert counts.
   */
  readonly countFrom?: () => number;
  readonly onProgress?: (p: { readonly elapsedS: number; readonly connected: number; readonly received: number }) => void;
};

export type WsAlertBenchClient = {
  readonly client: number;
  readonly alerts: number;
  readonly missedNotices: number;
  readonly missedAlerts: number;
  /** The close code when the server closed this socket before the end, else null. */
  readonly closedEarly: number | null;
};

export type WsAlertBenchResult = {
  readonly clients: number;
  /** Sockets that opened and confirmed the alerts subscription. */
  readonly subscribed: number;
  readonly durationSeconds: number;
  /** Alert messages received over all clients (created from countFrom on). */
  readonly received: number;
  /** Distinct alerts seen by at least one client. */
  readonly distinctAlerts: number;
  readonly p50Ms: number | null;
  readonly p95Ms: number | null;
  readonly p99Ms: number | null;
  readonly maxMs: number | null;
  readonly missedNotices: number;
  readonly missedAlerts: number;
  readonly perClient: readonly WsAlertBenchClient[];
  /** Why clients could not subscribe (the first few). */
  readonly failures: readonly string[];
};

const CONNECT_TIMEOUT_MS = 10_000;

/** Signs in with POST /api/auth/login and returns the Cookie header that carries the session. */
export async function signIn(baseUrl: string, username: string, password: string, totp?: string): Promise<string> {
  const response = await fetch(new URL('/api/auth/login', baseUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(totp ? { username, password, totp } : { username, password }),
  });
  if (response.status !== 200) {
    const body = await response.text().catch(() => '');
    throw new Error(`sign-in as ${username} at ${baseUrl} failed: HTTP ${response.status} ${body.slice(0, 200)}`);
  }
  const session = response.headers
    .getSetCookie()
    .map((c) => c.split(';', 1)[0]!)
    .find((c) => c.startsWith('rs_session='));
  if (!session) throw new Error('the sign-in answer set no rs_session cookie');
  return session;
}

export function wsUrlOf(baseUrl: string): string {
  const url = new URL('/ws', baseUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
}

type Subscriber = {
  readonly index: number;
  readonly socket: WebSocket;
  alerts: number;
  missedNotices: number;
  missedAlerts: number;
  subscribed: boolean;
  closedEarly: number | null;
};

/** Opens one subscriber and resolves once the server confirmed the alerts subscription. */
function openSubscriber(index: number, url: string, cookie: string, onAlert: (id: string, createdAt: number) => boolean): Promise<Subscriber> {
  const socket = new WebSocket(url, { headers: { cookie } });
  const s: Subscriber = { index, socket, alerts: 0, missedNotices: 0, missedAlerts: 0, subscribed: false, closedEarly: null };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`client ${index}: no subscription within ${CONNECT_TIMEOUT_MS} ms`)), CONNECT_TIMEOUT_MS);
    socket.on('unexpected-response', (_request, response) => {
      clearTimeout(timer);
      reject(new Error(`client ${index}: the upgrade was refused with HTTP ${response.statusCode}`));
    });
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.on('close', (code, reason) => {
      if (s.closedEarly === null) s.closedEarly = code;
      if (s.subscribed) return;
      // refused before it could subscribe: say why (a cap on one user's sockets names its setting)
      clearTimeout(timer);
      const why = reason.toString();
      const hint = /too many connections for this user/.test(why) ? ' (raise RISKSTREAM_WS_MAX_PER_USER on the riskstream under test, or open fewer --ws-clients)' : '';
      reject(new Error(`client ${index}: closed by the server before subscribing (${code}${why ? `: ${why}` : ''})${hint}`));
    });
    socket.on('message', (data) => {
      const message = JSON.parse(data.toString()) as { type: string; topic?: string; alert?: { id: string; createdAt: number }; count?: number; code?: string; message?: string };
      switch (message.type) {
        case 'hello':
          socket.send(JSON.stringify({ type: 'subscribe', topic: 'alerts' }));
          break;
        case 'subscribed':
          if (message.topic === 'alerts' && !s.subscribed) {
            s.subscribed = true;
            clearTimeout(timer);
            resolve(s);
          }
          break;
        case 'alert':
          if (onAlert(message.alert!.id, message.alert!.createdAt)) s.alerts++;
          break;
        case 'missed':
          s.missedNotices++;
          s.missedAlerts += message.count ?? 0;
          break;
        case 'error':
          clearTimeout(timer);
          reject(new Error(`client ${index}: ${message.code}: ${message.message}`));
          break;
      }
    });
  });
}

export async function runWsAlertBench(options: WsAlertBenchOptions): Promise<WsAlertBenchResult> {
  const clients = options.clients ?? 50;
  if (!Number.isInteger(clients) || clients < 1) throw new Error(`clients must be a whole number of at least 1 (got ${clients})`);
  const cookie = await signIn(options.baseUrl, options.username, options.password, options.totp);
  const url = wsUrlOf(options.baseUrl);
  const histogram = buildHistogram({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000, numberOfSignificantValueDigits: 3 });
  const seen = new Set<string>();
  let received = 0;
  let measuring = false;
  const countFrom = options.countFrom ?? (() => Number.NEGATIVE_INFINITY);
  /** Whether the alert counts: received while measuring and created from countFrom on. */
  const onAlert = (id: string, createdAt: number): boolean => {
    if (!measuring || createdAt < countFrom()) return false;
    received++;
    seen.add(id);
    // A clock a little behind the server's would give negative delays; they count as 0 ms.
    histogram.recordValue(Math.max(0, Date.now() - createdAt));
    return true;
  };

  const settled = await Promise.allSettled(Array.from({ length: clients }, (_, i) => openSubscriber(i, url, cookie, onAlert)));
  const subscribers = settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failures = settled.flatMap((r) => (r.status === 'rejected' ? [String((r.reason as Error)?.message ?? r.reason)] : []));
  if (subscribers.length === 0) throw new Error(`no client could subscribe: ${failures[0]}`);

  for (const s of subscribers) {
    s.alerts = 0;
    s.missedNotices = 0;
    s.missedAlerts = 0;
    s.closedEarly = null;
  }
  measuring = true;
  const started = Date.now();
  options.onReady?.(subscribers.length);
  const progress = options.onProgress
    ? setInterval(() => options.onProgress!({ elapsedS: Math.round((Date.now() - started) / 1000), connected: subscribers.filter((s) => s.closedEarly === null).length, received }), 1000)
    : undefined;
  await (options.listenUntil ?? new Promise((resolve) => setTimeout(resolve, (options.durationSeconds ?? 0) * 1000)));
  measuring = false;
  const listenedS = Math.round((Date.now() - started) / 1000);
  clearInterval(progress);
  const early = new Map(subscribers.map((s) => [s, s.closedEarly]));
  await Promise.all(
    subscribers.map(
      (s) =>
        new Promise<void>((resolve) => {
          if (s.socket.readyState === WebSocket.CLOSED) return resolve();
          s.socket.once('close', () => resolve());
          s.socket.close(1000, 'bench done');
          setTimeout(() => {
            s.socket.terminate();
            resolve();
          }, 2000).unref();
        }),
    ),
  );

  const quantile = (q: number): number | null => (histogram.totalCount === 0 ? null : histogram.getValueAtPercentile(q));
  return {
    clients,
    subscribed: subscribers.length,
    durationSeconds: listenedS,
    received,
    distinctAlerts: seen.size,
    p50Ms: quantile(50),
    p95Ms: quantile(95),
    p99Ms: quantile(99),
    maxMs: histogram.totalCount === 0 ? null : histogram.maxValue,
    missedNotices: subscribers.reduce((n, s) => n + s.missedNotices, 0),
    missedAlerts: subscribers.reduce((n, s) => n + s.missedAlerts, 0),
    failures: failures.slice(0, 5),
    perClient: subscribers.map((s) => ({ client: s.index, alerts: s.alerts, missedNotices: s.missedNotices, missedAlerts: s.missedAlerts, closedEarly: early.get(s) ?? null })),
  };
}

/** The figures as lines for a terminal. */
export function formatWsAlertBench(r: WsAlertBenchResult): string {
  const counts = r.perClient.map((c) => c.alerts);
  const min = counts.length ? Math.min(...counts) : 0;
  const max = counts.length ? Math.max(...counts) : 0;
  const ms = (v: number | null) => (v === null ? '-' : `${v} ms`);
  const lines = [
    `ws alerts: ${r.subscribed}/${r.clients} clients subscribed for ${r.durationSeconds} s`,
    `  alerts: ${r.distinctAlerts} distinct, ${r.received} delivered (per client min ${min}, max ${max})`,
    `  delivery delay (alert.createdAt to socket): p50 ${ms(r.p50Ms)}, p95 ${ms(r.p95Ms)}, p99 ${ms(r.p99Ms)}, max ${ms(r.maxMs)}`,
    `  missed: ${r.missedNotices} notices for ${r.missedAlerts} alerts`,
  ];
  if (r.failures.length > 0) lines.push(`  could not subscribe: ${r.failures.join('; ')}`);
  const closed = r.perClient.filter((c) => c.closedEarly !== null);
  if (closed.length > 0) lines.push(`  closed by the server before the end: ${closed.map((c) => `client ${c.client} (${c.closedEarly})`).join(', ')}`);
  return lines.join('\n');
}
