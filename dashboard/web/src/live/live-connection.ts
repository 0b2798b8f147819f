// The tab's one WebSocket to /ws: connects, reconnects with back-off, re-sends every subscription
// after a reconnect, routes server messages to subscribers, and closes gaps in the alert stream
// (`missed` notices and reconnects) from the REST API. It states its protocol version when it
// connects and reads nothing more from a server of another one (version-check.ts). Pure client
// logic: the socket, the timers and the catch-up fetch are injected, so tests drive it with fakes.
import { CLOSE_PROTOCOL_UNSUPPORTED, LIVE_PROTOCOL_VERSION, type AlertFilter, type ClientMessage, type ServerMessage, type SessionUser } from '../../../server/protocol.js';
import { DEFAULT_BACKOFF, reconnectDelay, type BackoffPolicy } from './backoff.js';
import { SeenAlertIds } from './seen-alert-ids.js';
import { urlWithProtocol, versionVerdict, type TabVersion } from './version-check.js';

export type ConnectionStatus = 'connecting' | 'live' | 'reconnecting' | 'offline';
export type Subscription = Extract<ClientMessage, { type: 'subscribe' }>;
export type LiveListener = (message: ServerMessage) => void;
type AlertWire = Extract<ServerMessage, { type: 'alert' }>['alert'];

/**
 * Tagged conditions for the status bar. `caught-up` / `reload`: alerts lost in a gap, fetched or
 * still missing. `account-reload`: account activity (an account's decisions and the alerts naming
 * it) the hub dropped, which nothing fetches back. `upgraded`: the server speaks another protocol
 * version; the connection has stopped for good and the page must be reloaded (no other notice
 * follows it). `new-build`: the server serves another build of the app, which reads the same messages.
 */
export type LiveNotice =
  | { readonly kind: 'caught-up'; readonly count: number }
  | { readonly kind: 'reload'; readonly count: number }
  | { readonly kind: 'account-reload'; readonly count: number }
  | { readonly kind: 'upgraded' }
  | { readonly kind: 'new-build' }
  | { readonly kind: 'server-error'; readonly code: string; readonly message: string };

/** The part of a WebSocket this class uses (the browser's WebSocket fits). */
export interface SocketLike {
  readonly readyState: number;
  onopen: ((event: Event) => void) | null;
  onmessage: ((event: MessageEvent) => void) | null;
  onclose: ((event: CloseEvent) => void) | null;
  onerror: ((event: Event) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export type Timers = {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
};

/** Alerts created at or after `since` that match `filter`; `complete` false when more remain than were fetched. */
export type CatchUp = (since: number, filter: AlertFilter | undefined) => Promise<{ readonly alerts: readonly AlertWire[]; readonly complete: boolean }>;

export type LiveConnectionOptions = {
  readonly url: string;
  readonly createSocket: (url: string) => SocketLike;
  readonly catchUp?: CatchUp;
  readonly onUnauthorized?: () => void;
  readonly timers?: Timers;
  readonly random?: () => number;
  readonly backoff?: BackoffPolicy;
  /** Ping this often; a socket silent for twice as long is presumed dead and replaced. */
  readonly keepAliveMs?: number;
  /** What this tab is (default: the protocol this code speaks, no build known). */
  readonly version?: TabVersion;
};

const OPEN = 1;
/**
 * The writer stores alerts in batches that wait up to a second to fill, then insert: alerts the hub
 * pushed or dropped moments ago may not be in GET /api/alerts yet. A gap is fetched again this much
 * later while some of it is missing.
 */
const CATCH_UP_RETRY_MS = 2_500;
/** Fetches of a `missed` gap at most; a reconnect's gap has no count to check, and is fetched twice. */
const CATCH_UP_ATTEMPTS = 3;
/**
 * Close codes that mean "sign in again", not "try again". The hub closes an unauthenticated upgrade
 * with 1008, which it also uses for a flood, so 1008 is retried like any drop; the app checks the
 * session (GET /api/auth/me) when the status turns to reconnecting, and a 401 there signs out.
 */
const AUTH_CLOSE_CODES = new Set([4401, 4403]);

export class LiveConnection {
  user: SessionUser | null = null;
  private readonly _options: LiveConnectionOptions;
  private readonly _timers: Timers;
  private readonly _random: () => number;
  private readonly _backoff: BackoffPolicy;
  private readonly _keepAliveMs: number;
  private readonly _version: TabVersion;
  /** The server spoke another protocol version: nothing more is read or sent, and nothing restarts. */
  private _outdated = false;
  /** A hello named another build of the same protocol (the `new-build` notice was raised). */
  private _newBuild = false;
  private _socket: SocketLike | null = null;
  private _status: ConnectionStatus = 'offline';
  private _running = false;
  private _failures = 0;
  private _everOpened = false;
  private _retryTimer: unknown = null;
  private _keepAliveTimer: unknown = null;
  private _lastMessageAt = 0;
  private _now: () => number = Date.now;
  /** Newest alert `createdAt` seen, to know where a gap starts. */
  private _lastAlertAt = 0;
  /** The server's clock in its last hello or pong: where a gap starts when no alert was seen yet. */
  private _lastServerTime = 0;
  /** The newest KPI second handed to the kpi subscription: a reconnect asks only for what came after (`since`). */
  private _kpiHeldThrough = 0;
  /** Ids of the alerts handed to subscribers lately (bounded, all of them while a catch-up runs): a catch-up counts only the others. */
  private readonly _seenIds = new SeenAlertIds();
  private readonly _subscriptions = new Map<string, { message: Subscription; listeners: Set<LiveListener> }>();
  private readonly _statusListeners = new Set<(status: ConnectionStatus) => void>();
  private readonly _noticeListeners = new Set<(notice: LiveNotice) => void>();
  private readonly _reconnectListeners = new Set<() => void>();

  constructor(options: LiveConnectionOptions) {
    this._options = options;
    this._timers = options.timers ?? { setTimeout: (cb, ms) => globalThis.setTimeout(cb, ms), clearTimeout: (h) => globalThis.clearTimeout(h as number) };
    this._random = options.random ?? Math.random;
    this._backoff = options.backoff ?? DEFAULT_BACKOFF;
    this._keepAliveMs = options.keepAliveMs ?? 20_000;
    this._version = options.version ?? { protocol: LIVE_PROTOCOL_VERSION, build: null };
  }

  get status(): ConnectionStatus {
    return this._status;
  }

  /** True once a server of another protocol version answered: the page must be reloaded. */
  get outdated(): boolean {
    return this._outdated;
  }

  /** True once a server named another build of this protocol: a reload would bring a newer app. */
  get newBuild(): boolean {
    return this._newBuild;
  }

  start(): void {
    if (this._running || this._outdated) return;
    this._running = true;
    this._setStatus('connecting');
    this._open();
  }

  stop(): void {
    this._running = false;
    this._clearTimers();
    const socket = this._socket;
    this._socket = null;
    if (socket !== null) {
      detach(socket);
      socket.close(1000, 'bye');
    }
    this._setStatus('offline');
  }

  /** Skips the back-off wait (the browser came back online, the user asked). */
  reconnectNow(): void {
    if (!this._running || this._socket !== null) return;
    this._timers.clearTimeout(this._retryTimer);
    this._retryTimer = null;
    this._open();
  }

  /**
   * Adds a listener for a topic; the first listener of a topic (account: of an account) subscribes
   * on the server, the last one to leave unsubscribes. An alerts subscription with another filter
   * replaces the filter (one alert filter per tab). Returns the way to leave.
   */
  subscribe(message: Subscription, listener: LiveListener): () => void {
    const key = keyOf(message);
    let entry = this._subscriptions.get(key);
    if (entry === undefined) {
      entry = { message, listeners: new Set() };
      this._subscriptions.set(key, entry);
      this._send(message);
    } else if (!sameSubscription(entry.message, message)) {
      entry.message = message;
      this._send(message);
    }
    // A wrapper per call: the same function subscribed twice is two memberships, so leaving one
    // (a component re-subscribing with a new filter) does not drop the other.
    const membership: LiveListener = (m) => listener(m);
    entry.listeners.add(membership);
    const owned = entry;
    return () => {
      owned.listeners.delete(membership);
      if (owned.listeners.size > 0 || this._subscriptions.get(key) !== owned) return;
      this._subscriptions.delete(key);
      if (key === 'kpi') this._kpiHeldThrough = 0;
      this._send(message.topic === 'account' ? { type: 'unsubscribe', topic: 'account', accountId: message.accountId } : { type: 'unsubscribe', topic: message.topic });
    };
  }

  onStatus(listener: (status: ConnectionStatus) => void): () => void {
    this._statusListeners.add(listener);
    return () => this._statusListeners.delete(listener);
  }

  onNotice(listener: (notice: LiveNotice) => void): () => void {
    this._noticeListeners.add(listener);
    return () => this._noticeListeners.delete(listener);
  }

  /** Called each time the socket opens again after having been lost (not on the first open): views that failed to load try again. */
  onReconnect(listener: () => void): () => void {
    this._reconnectListeners.add(listener);
    return () => this._reconnectListeners.delete(listener);
  }

  /** For tests: a clock for the keep-alive check. */
  useClock(now: () => number): void {
    this._now = now;
  }

  // -------------------------------------------------------------------------------------------

  private _open(): void {
    const socket = this._options.createSocket(urlWithProtocol(this._options.url, this._version.protocol));
    this._socket = socket;
    let opened = false;
    socket.onopen = () => {
      opened = true;
      this._onOpen();
    };
    socket.onmessage = (event) => this._onMessage(event);
    socket.onerror = () => {
      // A close event always follows; that is where the retry is planned.
    };
    socket.onclose = (event) => {
      if (this._socket !== socket) return;
      this._socket = null;
      detach(socket);
      this._onClose(event.code, opened);
    };
  }

  private _onOpen(): void {
    const reconnected = this._everOpened;
    this._everOpened = true;
    this._failures = 0;
    this._lastMessageAt = this._now();
    this._setStatus('live');
    // The kpi listeners hold the seconds handed to them: the hub sends only what they lack (the
    // whole 15 minutes again after every blip was what made reconnects heavy).
    for (const { message } of this._subscriptions.values()) {
      this._send(message.topic === 'kpi' && this._kpiHeldThrough > 0 ? { type: 'subscribe', topic: 'kpi', since: this._kpiHeldThrough } : message);
    }
    this._scheduleKeepAlive();
    // Alerts created while the socket was down were never pushed to us: fetch them, from the last
    // one seen (inclusive: others may share its millisecond) or else from the server's last word.
    const alerts = this._subscriptions.get('alerts');
    const gapStart = this._lastAlertAt > 0 ? this._lastAlertAt : this._lastServerTime;
    if (reconnected && alerts !== undefined && gapStart > 0) void this._catchUp(gapStart, alerts.message, null);
    if (reconnected) for (const listener of [...this._reconnectListeners]) listener();
  }

  private _onClose(code: number, opened: boolean): void {
    this._clearTimers();
    if (!this._running) return;
    if (code === CLOSE_PROTOCOL_UNSUPPORTED) {
      // The server does not speak this tab's version (its hello says which it does): another
      // attempt gets the same answer.
      this._becomeOutdated();
      return;
    }
    if (AUTH_CLOSE_CODES.has(code)) {
      this._running = false;
      this._setStatus('offline');
      this._options.onUnauthorized?.();
      return;
    }
    // A socket that opened and then dropped starts the back-off again from the first step.
    this._failures = opened ? 1 : this._failures + 1;
    const attempt = this._failures - 1;
    this._setStatus(this._failures >= this._backoff.offlineAfter ? 'offline' : 'reconnecting');
    this._retryTimer = this._timers.setTimeout(() => {
      this._retryTimer = null;
      if (this._running) this._open();
    }, reconnectDelay(this._backoff, attempt, this._random()));
  }

  private _onMessage(event: MessageEvent): void {
    this._lastMessageAt = this._now();
    let message: ServerMessage;
    try {
      message = JSON.parse(String(event.data)) as ServerMessage;
    } catch {
      return;
    }
    switch (message.type) {
      case 'hello': {
        // First on every socket, so checked again after every reconnect: the server may have been
        // upgraded while the tab was away.
        const verdict = versionVerdict(this._version, message);
        if (verdict === 'other-protocol') return this._becomeOutdated();
        this.user = message.user;
        if (typeof message.serverTime === 'number') this._lastServerTime = message.serverTime;
        if (verdict === 'new-build' && !this._newBuild) {
          this._newBuild = true;
          this._notify({ kind: 'new-build' });
        }
        return;
      }
      case 'pong':
        if (typeof message.serverTime === 'number') this._lastServerTime = message.serverTime;
        return;
      case 'kpi':
      case 'kpi-history':
        if (this._subscriptions.has('kpi')) this._kpiHeldThrough = Math.max(this._kpiHeldThrough, ...(message.type === 'kpi' ? [message.tick] : message.ticks).map((tick) => tick.at));
        return this._dispatch('kpi', message);
      case 'alert':
        if (message.alert.createdAt > this._lastAlertAt) this._lastAlertAt = message.alert.createdAt;
        this._remember(message.alert.id);
        return this._dispatch('alerts', message);
      case 'health':
        return this._dispatch('health', message);
      case 'account':
      case 'account-alert':
        return this._dispatch(`account:${message.accountId}`, message);
      case 'missed':
        return this._onMissed(message);
      case 'error':
        if (message.code === 'RS_ERR_UNAUTHENTICATED') {
          this.stop();
          this._options.onUnauthorized?.();
          return;
        }
        return this._notify({ kind: 'server-error', code: message.code, message: message.message });
      default:
        return;
    }
  }

  /**
   * The server speaks another protocol version: its messages may mean something else to this code
   * (a kpi-history read the old way showed the newest second only), so none is read from now on;
   * the socket is closed, nothing reconnects, and the user is asked to reload, which brings the app
   * the server serves. Not an automatic reload: it would throw away what the user is doing (a note
   * being typed, a paused feed, an open investigation), and while processes of two releases answer
   * on one address it could reload forever.
   */
  private _becomeOutdated(): void {
    if (this._outdated) return;
    this.stop();
    this._outdated = true;
    for (const listener of this._noticeListeners) listener({ kind: 'upgraded' });
  }

  private _onMissed(message: Extract<ServerMessage, { type: 'missed' }>): void {
    const alerts = this._subscriptions.get('alerts');
    if (message.topic === 'alerts' && alerts !== undefined) {
      void this._catchUp(message.since, alerts.message, message.count);
      return;
    }
    // Account decisions were dropped (which accounts', the notice does not say): every watcher
    // hears of it, so that what it keeps from the stream (an account's live totals) is read again.
    // Said apart from missed alerts: before 2026-12-07 both were `reload`, and the indicator added
    // the account's decisions to the alerts ("Missed 7 alerts" for 4 alerts and 3 decisions).
    if (message.topic === 'account') {
      for (const key of [...this._subscriptions.keys()]) if (key.startsWith('account:')) this._dispatch(key, message);
      this._notify({ kind: 'account-reload', count: message.count });
      return;
    }
    this._notify({ kind: 'reload', count: message.count });
  }

  /**
   * Fetches the gap and hands the alerts to subscribers as if pushed; `announced` is the server's
   * count. Fetched again after CATCH_UP_RETRY_MS while fewer than announced came (a reconnect's gap:
   * once), so that alerts the writer had not stored yet are not lost; one notice at the end.
   */
  private async _catchUp(since: number, subscription: Subscription, announced: number | null): Promise<void> {
    const filter = subscription.topic === 'alerts' ? subscription.filter : undefined;
    const catchUp = this._options.catchUp;
    if (catchUp === undefined) {
      if (announced !== null) this._notify({ kind: 'reload', count: announced });
      return;
    }
    this._seenIds.hold();
    try {
      await this._fetchGap(catchUp, since, filter, announced);
    } finally {
      this._seenIds.release();
    }
  }

  private async _fetchGap(catchUp: CatchUp, since: number, filter: AlertFilter | undefined, announced: number | null): Promise<void> {
    const attempts = announced === null ? 2 : CATCH_UP_ATTEMPTS;
    let fresh = 0;
    for (let attempt = 1; ; attempt += 1) {
      let answer: Awaited<ReturnType<CatchUp>>;
      try {
        answer = await catchUp(since, filter);
      } catch {
        this._notify({ kind: 'reload', count: announced ?? fresh });
        return;
      }
      fresh += this._showCaughtUp(answer.alerts);
      if (!answer.complete || this._seenIds.overflowed) {
        // More than one fetch brings, or more shown meanwhile than the tab can tell apart.
        this._notify({ kind: 'reload', count: Math.max(announced ?? fresh, fresh) });
        return;
      }
      if ((announced !== null && fresh >= announced) || attempt >= attempts) break;
      await new Promise<void>((resolve) => this._timers.setTimeout(resolve, CATCH_UP_RETRY_MS));
      if (!this._running) return;
    }
    if (announced !== null && fresh < announced) this._notify({ kind: 'reload', count: announced });
    else if ((announced ?? fresh) > 0) this._notify({ kind: 'caught-up', count: announced ?? fresh });
  }

  /**
   * Hands fetched alerts to subscribers; returns how many were new. The fetch starts at a time
   * already seen (inclusive) and may be repeated: what was shown already is neither shown again nor
   * counted as missed.
   */
  private _showCaughtUp(alerts: readonly AlertWire[]): number {
    let fresh = 0;
    for (const alert of alerts) {
      if (this._seenIds.has(alert.id)) continue;
      fresh += 1;
      if (alert.createdAt > this._lastAlertAt) this._lastAlertAt = alert.createdAt;
      this._remember(alert.id);
      this._dispatch('alerts', { type: 'alert', alert });
    }
    return fresh;
  }

  private _remember(id: string): void {
    this._seenIds.remember(id);
  }

  private _dispatch(key: string, message: ServerMessage): void {
    if (this._outdated) return; // a catch-up's fetch that lands after `upgraded` shows nothing
    const entry = this._subscriptions.get(key);
    if (entry === undefined) return;
    for (const listener of entry.listeners) listener(message);
  }

  private _send(message: ClientMessage): void {
    const socket = this._socket;
    if (socket !== null && socket.readyState === OPEN) socket.send(JSON.stringify(message));
  }

  private _scheduleKeepAlive(): void {
    this._keepAliveTimer = this._timers.setTimeout(() => {
      this._keepAliveTimer = null;
      const socket = this._socket;
      if (socket === null) return;
      if (this._now() - this._lastMessageAt > 2 * this._keepAliveMs) {
        // Silent too long: a half-open connection. Closing it runs the normal retry path.
        socket.close(4000, 'silent');
        return;
      }
      this._send({ type: 'ping' });
      this._scheduleKeepAlive();
    }, this._keepAliveMs);
  }

  private _clearTimers(): void {
    if (this._retryTimer !== null) this._timers.clearTimeout(this._retryTimer);
    if (this._keepAliveTimer !== null) this._timers.clearTimeout(this._keepAliveTimer);
    this._retryTimer = null;
    this._keepAliveTimer = null;
  }

  private _setStatus(status: ConnectionStatus): void {
    if (status === this._status) return;
    this._status = status;
    for (const listener of this._statusListeners) listener(status);
  }

  private _notify(notice: LiveNotice): void {
    // After `upgraded`, a catch-up still running must not replace the request to reload.
    if (this._outdated) return;
    for (const listener of this._noticeListeners) listener(notice);
  }
}

function keyOf(message: Subscription): string {
  return message.topic === 'account' ? `account:${message.accountId}` : message.topic;
}

function sameSubscription(a: Subscription, b: Subscription): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function detach(socket: SocketLike): void {
  socket.onopen = null;
  socket.onmessage = null;
  socket.onerror = null;
  socket.onclose = null;
}
