// The live hub of one process: one core-NATS subscription per subject (alerts, KPI snapshots,
// health heartbeats, and decisions while someone watches an account), fanned out to every
// WebSocket client through its own outbox, so that a slow client costs only itself. History is the
// REST API's job; the hub is a live view and keeps no durable consumer.
import type { Subscription, Msg } from '@nats-io/nats-core';
import type { RawData, WebSocket } from 'ws';
import { pastRetention, splitEnvelopeText, type AlertWire, type Bus, type Logger, type Metrics } from '../../../core/index.js';
import { CLOSE_PROTOCOL_UNSUPPORTED, LIVE_PROTOCOL_VERSION, TOPIC_ROLES, type ClientMessage, type ServerMessage, type SessionUser } from '../protocol.js';
import { AccountWatch, accountAlertFrame, decisionSummary, isRoutableDecision } from './account-watch.js';
import { AlertRouting, alertMatches, isRoutableAlert } from './alert-routing.js';
import { amountText } from './wire-amount.js';
import type { DroppableTopic, OutboxObserver, ServerMessageType } from './client-outbox.js';
import { MAX_CLIENT_MESSAGE_BYTES, parseClientMessage } from './client-message.js';
import { HealthBoard } from './health-board.js';
import { HubClient, encodeMessage } from './hub-client.js';
import {
  CLOSE_GOING_AWAY,
  CLOSE_POLICY,
  CLOSE_TOO_BIG,
  CLOSE_TRY_LATER,
  DEFAULT_HUB_LIMITS,
  WS_REFUSAL_REASONS,
  effectiveAlertFilter,
  sameRoles,
  topicsFor,
  type HubLimits,
  type WsRefusalReason,
} from './hub-policy.js';
import { kpiHistoryFrom, kpiHistoryStart } from './kpi-history.js';
import { protocolServed, wantsWholeTicks } from './protocol-version.js';
import { KpiTicker, tickSecondAt, unionSeconds } from './kpi-ticker.js';
import { RecentIds } from './recent-ids.js';

/** Ticks fire this long after each whole second, so that "now" lands safely inside the new second. */
const TICK_OFFSET_MS = 20;

export type HubOptions = {
  readonly bus: Bus;
  readonly logger: Logger;
  readonly metrics?: Metrics;
  readonly limits?: Partial<HubLimits>;
  /**
   * The id of the web app this process serves, read at every hello (a rebuild under a running
   * server changes what it serves); none: null in the hello.
   */
  readonly build?: () => string | null;
  /**
   * RISKSTREAM_RETENTION_DAYS: an alert on an event already past it is not pushed (the writer does
   * not store it, so it could not be opened); unset: every alert is pushed.
   */
  readonly retentionDays?: number;
};

/**
 * The writer judges an alert's age a moment after the hub (its batch's wait, any lag): an alert this
 * close to the retention's edge is not pushed either, so that the feed never shows one the writer
 * then drops. It would leave storage with the next TTL merge anyway.
 */
const RETENTION_EDGE_MS = 60_000;

/** Alerts held back for their age are logged at most this often, with the count since. */
const PAST_RETENTION_LOG_EVERY_MS = 60_000;

/**
 * A subscription callback that never throws: the NATS client calls callbacks inside its socket
 * reader, and an exception there stops the connection reading (alerts, KPIs and health alike)
 * until it reconnects. A message that breaks its handler is given to `failed` and skipped.
 */
export function guardedCallback(handle: (error: Error | null, msg: Msg) => void, failed: (subject: string | undefined, err: unknown) => void): (error: Error | null, msg: Msg) => void {
  return (error, msg) => {
    try {
      handle(error, msg);
    } catch (err) {
      failed(msg?.subject, err);
    }
  };
}

export type AttachOptions = {
  /**
   * Looks the session up again; when it no longer yields the same user and roles the socket is
   * closed with 1008.
   */
  readonly reauthenticate?: () => Promise<SessionUser | null>;
  /**
   * The protocol version the socket stated (protocol-version.ts: statedProtocol; null: it stated
   * something that is not a version). One the hub does not serve gets the hello, then a close with
   * CLOSE_PROTOCOL_UNSUPPORTED. Default: the current version.
   */
  readonly protocol?: number | null;
};

export type HubStats = {
  readonly clients: number;
  readonly kpiListeners: number;
  readonly healthListeners: number;
  readonly alertListeners: number;
  readonly alertFilters: number;
  readonly watchedAccounts: number;
  readonly decisionSubscription: boolean;
  readonly ticksHeld: number;
  readonly processesSeen: number;
  /** Alert messages parsed since start: every one while a tab takes the alert feed, else only those that may name a watched account. */
  readonly alertsParsed: number;
};

export type HubClientStats = {
  readonly id: number;
  readonly username: string;
  readonly backlogged: boolean;
  readonly dropped: number;
  readonly stalledMs: number;
};

export type Hub = {
  /** Takes over an upgraded, authenticated socket: sends hello and serves its subscriptions (AttachOptions). */
  attach(socket: WebSocket, user: SessionUser, options?: AttachOptions): void;
  stats(): HubStats;
  clientStats(): readonly HubClientStats[];
  /** Unsubscribes from NATS and closes every socket with 1001; resolves once they are closed (or cut off). */
  close(): Promise<void>;
};

export function createHub(options: HubOptions): Hub {
  return new LiveHub(options);
}

type Child = { inc(value?: number): void };

class LiveHub implements Hub {
  private readonly _bus: Bus;
  private readonly _logger: Logger;
  private readonly _metrics: Metrics | undefined;
  private readonly _limits: HubLimits;
  private readonly _build: () => string | null;
  private readonly _retentionDays: number | undefined;
  /** Alerts held back for their age since the last log line, and when that line was written. */
  private _pastRetentionUnlogged = 0;
  private _pastRetentionLoggedAt = -Infinity;
  /** When a bus callback's failure was last logged (_guarded). */
  private _callbackFailureLoggedAt = -Infinity;
  private readonly _clients = new Set<HubClient>();
  private readonly _kpiClients = new Set<HubClient>();
  private readonly _healthClients = new Set<HubClient>();
  private readonly _alerts = new AlertRouting<HubClient>();
  private readonly _accounts = new AccountWatch<HubClient>();
  /** Alerts and account decisions pushed lately: a copy published again after a redelivery is not pushed twice. */
  private readonly _recentAlerts = new RecentIds(Date.now());
  private readonly _recentDecisions = new RecentIds(Date.now());
  private readonly _board = new HealthBoard();
  private readonly _ticker: KpiTicker;
  /**
   * kpi-history as sent on subscribing, by the first tick it holds (kpiHistoryStart), encoded once
   * per tick however many clients subscribe: after a restart every tab comes back within seconds.
   */
  private readonly _historyFrames = new Map<number, Buffer>();
  /** The same for protocol 1 tabs, every tick whole (protocol-version.ts): only in the minutes after an upgrade. */
  private readonly _wholeHistoryFrames = new Map<number, Buffer>();
  /**
   * For a KPI client whose 'kpi' slot holds a push not yet written: the seconds that push carries.
   * Only the newest push is kept for a client that is behind, so it carries every second pushed
   * since the client fell behind (a late-amended second, then plain ticks, must not replace it).
   */
  private readonly _kpiOwed = new WeakMap<HubClient, readonly number[]>();
  private readonly _subscriptions: Subscription[] = [];
  private _decisions: Subscription | null = null;
  private _tickTimer: NodeJS.Timeout | undefined;
  private readonly _intervals: NodeJS.Timeout[] = [];
  private readonly _observer: OutboxObserver;
  private readonly _sentBy = new Map<string, Child>();
  private readonly _droppedBy = new Map<string, Child>();
  private readonly _reauthenticate = new WeakMap<HubClient, () => Promise<SessionUser | null>>();
  /** Open sockets per user name: one session (or one stolen password) may not take the whole process's share. */
  private readonly _clientsPerUser = new Map<string, number>();
  /** Refusals logged lately, by reason and user: once a minute or two each, so that a tab (or a script) reconnecting in a loop cannot flood the log. */
  private readonly _refusalsLogged = new RecentIds(Date.now(), 60_000, 10_000);
  private _nextId = 1;
  private _alertsParsed = 0;
  private _rechecking = false;
  private _closed = false;

  constructor(options: HubOptions) {
    this._bus = options.bus;
    this._logger = options.logger.child({ component: 'ws-hub' });
    this._metrics = options.metrics;
    this._limits = { ...DEFAULT_HUB_LIMITS, ...options.limits };
    this._build = options.build ?? (() => null);
    this._retentionDays = options.retentionDays;
    this._ticker = new KpiTicker(Date.now());
    // Every reason at 0 from the start: a rate() or an alert on one sees its first refusal.
    for (const reason of WS_REFUSAL_REASONS) this._metrics?.wsRefused.inc({ reason }, 0);
    const failed = (what: string, subject: string | undefined, err: unknown): void => {
      const now = Date.now();
      if (now - this._callbackFailureLoggedAt < 60_000) return;
      this._callbackFailureLoggedAt = now;
      this._logger.error({ err, subject }, `the live hub could not handle a ${what} message; skipped (at most one such line a minute)`);
    };
    this._onAlert = guardedCallback(this._onAlert.bind(this), (subject, err) => failed('alert', subject, err));
    this._onKpi = guardedCallback(this._onKpi.bind(this), (subject, err) => failed('KPI snapshot', subject, err));
    this._onHealth = guardedCallback(this._onHealth.bind(this), (subject, err) => failed('heartbeat', subject, err));
    this._onDecision = guardedCallback(this._onDecision.bind(this), (subject, err) => failed('decision', subject, err));
    this._onTickTimer = this._onTickTimer.bind(this);
    this._encodeMissed = this._encodeMissed.bind(this);
    this._observer = { sent: this._onSent.bind(this), dropped: this._onDropped.bind(this) };

    const { nc, names } = this._bus;
    this._subscriptions.push(
      nc.subscribe(names.subjects.alertsAll, { callback: this._onAlert }),
      nc.subscribe(names.subjects.kpiAll, { callback: this._onKpi }),
      nc.subscribe(names.subjects.healthAll, { callback: this._onHealth }),
    );
    this._scheduleTick();
    this._intervals.push(
      setInterval(() => this._pushHealth(), this._limits.healthPushMs),
      setInterval(() => this._sweep(), this._limits.sweepMs),
      setInterval(() => this._heartbeat(), this._limits.heartbeatMs),
      setInterval(() => void this._recheckSessions(), this._limits.sessionRecheckMs),
    );
    for (const timer of this._intervals) timer.unref();
  }

  // -------------------------------------------------------------------------------------------
  // Clients

  attach(socket: WebSocket, user: SessionUser, options: AttachOptions = {}): void {
    if (this._closed) {
      this._countRefusal('shutting_down');
      socket.close(CLOSE_GOING_AWAY, 'server shutting down');
      return;
    }
    const protocol = options.protocol === undefined ? LIVE_PROTOCOL_VERSION : options.protocol;
    if (!protocolServed(protocol)) {
      this._countRefusal('protocol');
      this._refuseProtocol(socket, user, protocol);
      return;
    }
    if (this._clients.size >= this._limits.maxClients) {
      this._countRefusal('process_full');
      this._logger.warn({ clients: this._clients.size }, 'WebSocket refused: too many clients on this process');
      socket.close(CLOSE_TRY_LATER, 'too many clients; try again later');
      return;
    }
    const held = this._clientsPerUser.get(user.username) ?? 0;
    if (held >= this._limits.maxClientsPerUser) {
      this._countRefusal('user_limit');
      this._logPerUserRefusal(user.username, held);
      socket.close(CLOSE_POLICY, `too many connections for this user (${this._limits.maxClientsPerUser}): close another tab`);
      return;
    }
    this._clientsPerUser.set(user.username, held + 1);
    const client = new HubClient(this._nextId++, user, socket, this._limits, this._observer, this._encodeMissed, Date.now(), protocol);
    if (options.reauthenticate) this._reauthenticate.set(client, options.reauthenticate);
    this._clients.add(client);
    this._metrics?.wsClients.set(this._clients.size);
    socket.on('message', (data: RawData, isBinary: boolean) => this._onClientMessage(client, data, isBinary));
    socket.on('pong', () => {
      client.alive = true;
    });
    socket.on('close', () => this._detach(client));
    socket.on('error', (error: Error) => this._logger.debug({ err: error, client: client.id }, 'WebSocket error'));
    this._logger.debug({ client: client.id, username: user.username, protocol }, 'WebSocket client connected');
    client.answer(this._hello(user, protocol));
  }

  /**
   * `protocol`: the version spoken on this socket, the tab's own when it is served (an older one
   * too), the newest on a refusal. Not always the newest: a tab reads a hello of another version as
   * "upgraded, reload" and stops, so a tab of a version still served must find its own there, or
   * raising LIVE_PROTOCOL_VERSION would stop every open tab however OLDEST_SERVED_PROTOCOL is set.
   * A newer app is what `build` tells (the tab offers a reload and reads on).
   */
  private _hello(user: SessionUser, protocol: number): ServerMessage {
    return { type: 'hello', user, serverTime: Date.now(), topics: topicsFor(user), protocol, build: this._build() };
  }

  /**
   * A tab whose version this hub does not speak: the hello (so a tab that reads it knows which
   * version the server speaks and asks its user to reload), then a close that says the same. Not a
   * client: nothing it sent is read, nothing else is sent.
   */
  private _refuseProtocol(socket: WebSocket, user: SessionUser, protocol: number | null): void {
    if (!this._refusalsLogged.seen(`protocol\u0000${user.username}`, Date.now())) {
      this._logger.info({ username: user.username, protocol, served: LIVE_PROTOCOL_VERSION }, 'WebSocket refused: a protocol version this server does not speak (a tab of another release)');
    }
    socket.send(encodeMessage(this._hello(user, LIVE_PROTOCOL_VERSION)), { binary: false });
    socket.close(CLOSE_PROTOCOL_UNSUPPORTED, `this server speaks protocol ${LIVE_PROTOCOL_VERSION}: reload the page`);
    setTimeout(() => {
      if (socket.readyState !== 3) socket.terminate();
    }, this._limits.closeGraceMs).unref();
  }

  /** Every refusal counts, where the log says so only once in a while (_refusalsLogged). */
  private _countRefusal(reason: WsRefusalReason): void {
    this._metrics?.wsRefused.inc({ reason });
  }

  private _logPerUserRefusal(username: string, held: number): void {
    if (this._refusalsLogged.seen(`clients\u0000${username}`, Date.now())) return;
    this._logger.warn({ username, clients: held, limit: this._limits.maxClientsPerUser }, 'WebSocket refused: too many connections for this user');
  }

  private _detach(client: HubClient): void {
    if (!this._clients.delete(client)) return;
    const held = (this._clientsPerUser.get(client.user.username) ?? 1) - 1;
    if (held > 0) this._clientsPerUser.set(client.user.username, held);
    else this._clientsPerUser.delete(client.user.username);
    this._kpiClients.delete(client);
    this._healthClients.delete(client);
    this._alerts.remove(client);
    this._accounts.remove(client);
    this._syncDecisionSubscription();
    client.outbox.clear();
    this._metrics?.wsClients.set(this._clients.size);
    this._logger.debug({ client: client.id, dropped: client.outbox.droppedTotal }, 'WebSocket client gone');
  }

  /** Asks the socket to close and cuts it off if the handshake does not finish in time (a stalled client never answers). */
  private _closeClient(client: HubClient, code: number, reason: string): void {
    if (client.closing) return;
    client.closing = true;
    client.socket.close(code, reason);
    setTimeout(() => {
      if (client.socket.readyState !== 3) client.socket.terminate();
    }, this._limits.closeGraceMs).unref();
  }

  private _onClientMessage(client: HubClient, data: RawData, isBinary: boolean): void {
    client.alive = true;
    const now = Date.now();
    if (now - client.messageWindowStart >= 1000) {
      client.messageWindowStart = now;
      client.messagesThisSecond = 0;
    }
    if (++client.messagesThisSecond > this._limits.maxMessagesPerSecond) {
      this._closeClient(client, CLOSE_POLICY, 'too many messages');
      return;
    }
    const bytes = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
    // ws enforces the same bound (maxPayload) when the plugin configures it; this holds without it.
    if (bytes.length > MAX_CLIENT_MESSAGE_BYTES) {
      this._closeClient(client, CLOSE_TOO_BIG, 'message too big');
      return;
    }
    if (isBinary) {
      this._answer(client, { type: 'error', code: 'RS_ERR_BAD_REQUEST', message: 'send JSON text frames' });
      return;
    }
    const parsed = parseClientMessage(bytes.toString('utf8'));
    if (!parsed.ok) {
      this._answer(client, { type: 'error', code: 'RS_ERR_BAD_REQUEST', message: parsed.message });
      return;
    }
    this._handle(client, parsed.message);
  }

  private _answer(client: HubClient, message: Parameters<HubClient['answer']>[0]): void {
    if (!client.answer(message)) this._closeClient(client, CLOSE_POLICY, 'too many answers waiting: read your socket');
  }

  private _handle(client: HubClient, message: ClientMessage): void {
    if (message.type === 'ping') {
      this._answer(client, message.id === undefined ? { type: 'pong', serverTime: Date.now() } : { type: 'pong', id: message.id, serverTime: Date.now() });
      return;
    }
    const { topic } = message;
    if (message.type === 'unsubscribe') {
      switch (topic) {
        case 'kpi':
          client.kpi = false;
          this._kpiClients.delete(client);
          break;
        case 'health':
          client.health = false;
          this._healthClients.delete(client);
          break;
        case 'alerts':
          client.alerts = false;
          this._alerts.remove(client);
          break;
        case 'account':
          this._accounts.remove(client, message.accountId);
          this._syncDecisionSubscription();
          break;
      }
      this._answer(client, message.accountId === undefined ? { type: 'unsubscribed', topic } : { type: 'unsubscribed', topic, accountId: message.accountId });
      return;
    }
    if (!client.user.roles.some((role) => TOPIC_ROLES[topic].includes(role))) {
      this._answer(client, { type: 'error', code: 'RS_ERR_FORBIDDEN', message: `your role does not allow the ${topic} topic` });
      return;
    }
    switch (message.topic) {
      case 'kpi': {
        client.kpi = true;
        this._kpiClients.add(client);
        this._answer(client, { type: 'subscribed', topic: 'kpi' });
        if (this._ticker.advance(tickSecondAt(Date.now())) > 0) this._clearHistoryFrames();
        const history = this._kpiHistoryFrame(message.since, wantsWholeTicks(client.protocol, message.since));
        if (!client.outbox.control(history, 'kpi-history')) this._closeClient(client, CLOSE_POLICY, 'too many answers waiting: read your socket');
        return;
      }
      case 'health':
        client.health = true;
        this._healthClients.add(client);
        this._answer(client, { type: 'subscribed', topic: 'health' });
        client.outbox.latest('health', encodeMessage({ type: 'health', view: this._board.view(Date.now()) }));
        return;
      case 'alerts':
        client.alerts = true;
        this._alerts.set(client, effectiveAlertFilter(client.user, message.filter ?? {}));
        this._answer(client, { type: 'subscribed', topic: 'alerts' });
        return;
      case 'account': {
        const { accountId } = message;
        if (!this._accounts.watches(client, accountId) && this._accounts.countFor(client) >= this._limits.maxAccountsPerClient) {
          this._answer(client, { type: 'error', code: 'RS_ERR_BAD_REQUEST', message: `watch at most ${this._limits.maxAccountsPerClient} accounts at once; unsubscribe one first` });
          return;
        }
        this._accounts.add(client, accountId);
        this._syncDecisionSubscription();
        this._answer(client, { type: 'subscribed', topic: 'account', accountId });
        return;
      }
    }
  }

  /**
   * An alert on an event the writer will not store (past the retention): shown live, it would
   * open to a 404 and be gone from the list on reload. A bank replaying old history, or the demo's
   * backdated customer history, raises such alerts; they stay on the alerts stream for other
   * consumers, and are counted (rs_ws_alerts_past_retention_total) and logged here.
   */
  private _isPastRetention(alert: AlertWire): boolean {
    if (this._retentionDays === undefined) return false;
    const now = Date.now();
    if (!pastRetention(alert.ts, this._retentionDays, now + RETENTION_EDGE_MS)) return false;
    this._metrics?.wsAlertsPastRetention.inc();
    this._pastRetentionUnlogged++;
    if (now - this._pastRetentionLoggedAt >= PAST_RETENTION_LOG_EVERY_MS) {
      this._logger.info(
        { alerts: this._pastRetentionUnlogged, retentionDays: this._retentionDays, example: { id: alert.id, eventId: alert.eventId, ts: new Date(alert.ts).toISOString() } },
        `alerts on events older than the retention (RISKSTREAM_RETENTION_DAYS=${this._retentionDays}) are not pushed to the dashboard: they are not stored and could not be opened; raise it to keep them`,
      );
      this._pastRetentionUnlogged = 0;
      this._pastRetentionLoggedAt = now;
    }
    return true;
  }

  /**
   * The kpi-history for a subscription: a first one gets the whole window, a tab that says what it
   * holds (a reconnect) only what it lacks; `whole`: every tick in full, for a protocol 1 tab.
   */
  private _kpiHistoryFrame(since: number | undefined, whole: boolean): Buffer {
    const ticks = this._ticker.ticks;
    const start = kpiHistoryStart(ticks, since);
    const frames = whole ? this._wholeHistoryFrames : this._historyFrames;
    let history = frames.get(start);
    if (history === undefined) {
      history = encodeMessage(whole ? { type: 'kpi-history', ticks: ticks.slice(start) } : kpiHistoryFrom(ticks, start));
      frames.set(start, history);
    }
    return history;
  }

  private _clearHistoryFrames(): void {
    this._historyFrames.clear();
    this._wholeHistoryFrames.clear();
  }

  // -------------------------------------------------------------------------------------------
  // Bus input

  private _onAlert(error: Error | null, msg: Msg): void {
    if (error || (this._alerts.size === 0 && this._accounts.accounts === 0)) return;
    const text = msg.string();
    // With no alert feed open, only the alerts naming a watched account are wanted: a look at the
    // text skips the others unparsed (in a storm, nearly all of them).
    if (this._alerts.size === 0 && !this._accounts.mayNameWatched(text)) return;
    this._alertsParsed += 1;
    let alert: unknown;
    try {
      alert = JSON.parse(text);
    } catch {
      return;
    }
    if (!isRoutableAlert(alert)) {
      this._logger.debug({ subject: msg.subject }, 'alert ignored by the hub: not an alert');
      return;
    }
    if (this._isPastRetention(alert)) return;
    if (this._recentAlerts.seen(alert.id, Date.now())) return;
    // Encoded once for every client: the published text as it is (valid JSON: it parsed), with the
    // exact amount in front (wire-amount.ts) when it has one.
    let frame: Buffer | null = null;
    const createdAt = alert.createdAt;
    this._alerts.route(alert, (client) => {
      frame ??= alertFrame(alert, text);
      client.outbox.droppable('alerts', frame, 'alert', createdAt);
    });
    // On the account topic too, to the tabs watching the account it names: the hub routes them
    // rather than each account page filtering the whole alert stream (docs/decisions/0003).
    const watchers = this._accounts.watchersOf(alert.accountId);
    if (watchers === undefined) return;
    const accountFrame = accountAlertFrame(alert, text);
    for (const client of watchers) {
      // (every role of the account topic sees every domain today; a credit officer's domain holds if that changes)
      if (alertMatches(effectiveAlertFilter(client.user, {}), alert)) client.outbox.droppable('account', accountFrame, 'account-alert', createdAt);
    }
  }

  private _onDecision(error: Error | null, msg: Msg): void {
    if (error) return;
    const text = msg.string();
    if (!this._accounts.watchedIn(text)) return;
    // An envelope (one line per decision) or a single decision.
    for (const line of splitEnvelopeText(text)) {
      if (line.length === text.length || this._accounts.watchedIn(line)) this._routeDecision(line);
    }
  }

  private _routeDecision(text: string): void {
    let decision: unknown;
    try {
      decision = JSON.parse(text);
    } catch {
      return;
    }
    if (!isRoutableDecision(decision)) return;
    if (this._recentDecisions.seen(decision.eventId, Date.now())) return;
    let summaryText: string | null = null;
    const ids = decision.accountId === decision.counterpartyId ? [decision.accountId] : [decision.accountId, decision.counterpartyId];
    for (const accountId of ids) {
      const watchers = this._accounts.watchersOf(accountId);
      if (!watchers) continue;
      summaryText ??= JSON.stringify(decisionSummary(decision));
      const frame = Buffer.from(`{"type":"account","accountId":${JSON.stringify(accountId)},"decision":${summaryText}}`);
      for (const client of watchers) client.outbox.droppable('account', frame, 'account', decision.decidedAt);
    }
  }

  private _onKpi(error: Error | null, msg: Msg): void {
    if (error) return;
    try {
      if (!this._ticker.merger.add(msg.json<unknown>(), Date.now())) this._logger.debug({ subject: msg.subject }, 'KPI snapshot ignored: malformed or out of the window');
    } catch {
      // Not JSON: a stray publisher on the subject.
    }
  }

  private _onHealth(error: Error | null, msg: Msg): void {
    if (error) return;
    try {
      this._board.record(msg.json<unknown>(), Date.now());
    } catch {
      // Not JSON.
    }
  }

  /** One subscription to every decision while anyone watches an account, none otherwise. */
  private _syncDecisionSubscription(): void {
    if (this._accounts.accounts > 0 && this._decisions === null && !this._closed) {
      this._decisions = this._bus.nc.subscribe(this._bus.names.subjects.decisionsAll, { callback: this._onDecision });
    } else if (this._accounts.accounts === 0 && this._decisions !== null) {
      this._unsubscribe(this._decisions);
      this._decisions = null;
    }
  }

  private _unsubscribe(subscription: Subscription): void {
    try {
      subscription.unsubscribe();
    } catch {
      // The connection is already closed.
    }
  }

  // -------------------------------------------------------------------------------------------
  // Timers: KPI ticks, health pushes, the sweep and the heartbeat

  private _scheduleTick(): void {
    if (this._closed) return;
    const now = Date.now();
    this._tickTimer = setTimeout(this._onTickTimer, 1000 - (now % 1000) + TICK_OFFSET_MS);
    this._tickTimer.unref();
  }

  private _onTickTimer(): void {
    const at = tickSecondAt(Date.now());
    // Nobody watching: snapshots are still merged (cheap), ticks are computed when someone subscribes.
    const added = this._kpiClients.size > 0 ? this._ticker.advance(at) : 0;
    if (added > 0) {
      this._clearHistoryFrames();
      // Seconds a processor reported late go out again, made with what came, before the new ones:
      // usually one, more when this timer fired seconds late (a busy event loop).
      const amended = this._ticker.amendLate();
      const ticks = [...amended, ...this._ticker.ticks.slice(-added)];
      const frame = encodeMessage(ticks.length === 1 ? { type: 'kpi', tick: ticks[0]! } : { type: 'kpi-history', ticks });
      this._pushKpi(frame, ticks.map((tick) => tick.at));
    } else {
      this._ticker.merger.prune(at);
    }
    this._scheduleTick();
  }

  /**
   * Pushes this tick's `frame` (the ticks of `seconds`, ascending) to every KPI client. A client
   * still holding an earlier push gets instead, as a kpi-history, the ticks of every second it is
   * owed, as they stand now; clients that fell behind at the same tick share one encoding.
   */
  private _pushKpi(frame: Buffer, seconds: readonly number[]): void {
    let catchUps: Map<string, Buffer> | undefined;
    for (const client of this._kpiClients) {
      const owed = client.outbox.holds('kpi') ? this._kpiOwed.get(client) : undefined;
      if (owed === undefined) {
        if (client.outbox.latest('kpi', frame) === 'queued') this._kpiOwed.set(client, seconds);
        continue;
      }
      const ticks = this._ticker.ticksAt(unionSeconds(owed, seconds));
      const ats = ticks.map((tick) => tick.at);
      const key = ats.join();
      catchUps ??= new Map();
      let catchUp = catchUps.get(key);
      if (catchUp === undefined) {
        catchUp = encodeMessage({ type: 'kpi-history', ticks });
        catchUps.set(key, catchUp);
      }
      client.outbox.latest('kpi', catchUp);
      this._kpiOwed.set(client, ats);
    }
  }

  private _pushHealth(): void {
    const view = this._board.view(Date.now());
    if (this._healthClients.size === 0) return;
    const frame = encodeMessage({ type: 'health', view });
    for (const client of this._healthClients) client.outbox.latest('health', frame);
  }

  private _sweep(): void {
    const now = Date.now();
    for (const client of this._clients) {
      if (!client.outbox.backlogged || client.closing) continue;
      client.outbox.flush();
      const stalled = client.outbox.stalledMs(now);
      if (stalled > this._limits.stallTimeoutMs) {
        this._logger.info({ client: client.id, username: client.user.username, stalledMs: stalled, dropped: client.outbox.droppedTotal }, 'closing a WebSocket client that stopped reading');
        this._closeClient(client, CLOSE_POLICY, 'too slow: not reading');
      }
    }
  }

  private _heartbeat(): void {
    for (const client of this._clients) {
      if (!client.alive) {
        client.socket.terminate();
        continue;
      }
      client.alive = false;
      try {
        client.socket.ping();
      } catch {
        // Closing already.
      }
    }
  }

  /** Ends the sockets whose session was signed out, expired, or whose user's roles changed. */
  private async _recheckSessions(): Promise<void> {
    if (this._rechecking) return; // a slow session store: the previous round is still going
    this._rechecking = true;
    try {
      await this._recheckRound();
    } finally {
      this._rechecking = false;
    }
  }

  private async _recheckRound(): Promise<void> {
    for (const client of [...this._clients]) {
      const reauthenticate = this._reauthenticate.get(client);
      if (!reauthenticate || client.closing) continue;
      let user: SessionUser | null;
      try {
        user = await reauthenticate();
      } catch (error) {
        // The session store is unreachable: keep the socket, look again next round.
        this._logger.debug({ err: error }, 'session recheck failed');
        continue;
      }
      if (!user) {
        this._closeClient(client, CLOSE_POLICY, 'session ended: sign in again');
      } else if (user.username !== client.user.username || !sameRoles(user.roles, client.user.roles)) {
        this._closeClient(client, CLOSE_POLICY, 'your roles changed: reconnect');
      }
    }
  }

  // -------------------------------------------------------------------------------------------
  // Outbox callbacks: metrics and the missed notice

  private _encodeMissed(topic: DroppableTopic, count: number, since: number): Buffer {
    return encodeMessage({ type: 'missed', topic, count, since });
  }

  private _onSent(type: ServerMessageType, createdAt: number): void {
    const metrics = this._metrics;
    if (!metrics) return;
    let child = this._sentBy.get(type);
    if (!child) {
      child = metrics.wsMessagesSent.labels(type);
      this._sentBy.set(type, child);
    }
    child.inc();
    if (type === 'alert') metrics.wsAlertDelivery.observe(Math.max(0, Date.now() - createdAt) / 1000);
  }

  private _onDropped(type: ServerMessageType): void {
    const metrics = this._metrics;
    if (!metrics) return;
    let child = this._droppedBy.get(type);
    if (!child) {
      child = metrics.wsMessagesDropped.labels(type);
      this._droppedBy.set(type, child);
    }
    child.inc();
  }

  // -------------------------------------------------------------------------------------------

  stats(): HubStats {
    return {
      clients: this._clients.size,
      kpiListeners: this._kpiClients.size,
      healthListeners: this._healthClients.size,
      alertListeners: this._alerts.size,
      alertFilters: this._alerts.groups,
      watchedAccounts: this._accounts.accounts,
      decisionSubscription: this._decisions !== null,
      ticksHeld: this._ticker.ticks.length,
      processesSeen: this._board.size,
      alertsParsed: this._alertsParsed,
    };
  }

  clientStats(): readonly HubClientStats[] {
    const now = Date.now();
    return [...this._clients].map((c) => ({ id: c.id, username: c.user.username, backlogged: c.outbox.backlogged, dropped: c.outbox.droppedTotal, stalledMs: c.outbox.stalledMs(now) }));
  }

  async close(): Promise<void> {
    if (this._closed) return;
    this._closed = true;
    clearTimeout(this._tickTimer);
    for (const timer of this._intervals) clearInterval(timer);
    for (const subscription of this._subscriptions) this._unsubscribe(subscription);
    if (this._decisions) this._unsubscribe(this._decisions);
    this._decisions = null;
    const clients = [...this._clients];
    if (clients.length === 0) return;
    const closed = clients.map((client) => new Promise<void>((resolve) => (client.socket.readyState === 3 ? resolve() : client.socket.once('close', () => resolve()))));
    for (const client of clients) {
      client.closing = true;
      client.socket.close(CLOSE_GOING_AWAY, 'server shutting down');
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(closed), new Promise<void>((resolve) => (timer = setTimeout(resolve, this._limits.closeGraceMs)))]);
    clearTimeout(timer);
    for (const client of clients) if (client.socket.readyState !== 3) client.socket.terminate();
  }
}

/** An alert as pushed: its exact amount in front of the published fields, or the text as it is. */
function alertFrame(alert: AlertWire, text: string): Buffer {
  const amount = amountText(alert.amountMinor, alert.currency);
  return Buffer.from(amount === undefined ? `{"type":"alert","alert":${text}}` : JSON.stringify({ type: 'alert', alert: { amount, ...alert } }));
}
