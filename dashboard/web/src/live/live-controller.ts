// Reactive controllers over the tab's LiveConnection. Components never touch the socket: a
// LiveTopicController subscribes when its host connects and leaves when it disconnects, and a
// ConnectionStateController re-renders its host on status changes and notices.
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { ConnectionStatus, LiveConnection, LiveListener, Subscription } from './live-connection.js';
import { withNotice, withoutSlot, type NoticeSlot, type ShownNotice } from './notice-board.js';

/** Subscribes its host to one topic while connected. `subscription()` is read again on `resubscribe()`. */
export class LiveTopicController implements ReactiveController {
  private readonly _connection: () => LiveConnection | null;
  private readonly _subscription: () => Subscription | null;
  private readonly _listener: LiveListener;
  private _leave: (() => void) | null = null;
  private _connected = false;

  constructor(host: ReactiveControllerHost, connection: () => LiveConnection | null, subscription: () => Subscription | null, listener: LiveListener) {
    this._connection = connection;
    this._subscription = subscription;
    this._listener = listener;
    host.addController(this);
  }

  hostConnected(): void {
    this._connected = true;
    this.resubscribe();
  }

  hostDisconnected(): void {
    this._connected = false;
    this._leave?.();
    this._leave = null;
  }

  /** After the connection or the filter changed. Joins the new subscription before leaving the old one, so the server keeps the topic. */
  resubscribe(): void {
    if (!this._connected) return;
    const previous = this._leave;
    const connection = this._connection();
    const subscription = this._subscription();
    this._leave = connection !== null && subscription !== null ? connection.subscribe(subscription, this._listener) : null;
    previous?.();
  }
}

/**
 * Follows whichever connection its host has (`connection()`, read again on `watch()`): what to
 * listen to on it is `follow`'s, what to stop is the functions it returns.
 */
abstract class ConnectionWatcher implements ReactiveController {
  protected readonly _host: ReactiveControllerHost;
  private readonly _connection: () => LiveConnection | null;
  private _off: Array<() => void> = [];
  private _watched: LiveConnection | null = null;

  constructor(host: ReactiveControllerHost, connection: () => LiveConnection | null) {
    this._host = host;
    this._connection = connection;
    host.addController(this);
  }

  hostConnected(): void {
    this.watch();
  }

  hostDisconnected(): void {
    this._unwatch();
  }

  /** Call when the host's connection object changed. */
  watch(): void {
    const connection = this._connection();
    if (connection === this._watched) return;
    this._unwatch();
    this._watched = connection;
    this._off = this.follow(connection);
  }

  /** Starts listening to the connection (null: none); returns what stops it. */
  protected abstract follow(connection: LiveConnection | null): Array<() => void>;

  private _unwatch(): void {
    for (const off of this._off) off();
    this._off = [];
    this._watched = null;
  }
}

/**
 * Follows the connection status and its notices for an indicator: every notice that stands (one per
 * slot, the most important first; notice-board.ts), so that a later one does not hide the offer to
 * reload.
 */
export class ConnectionStateController extends ConnectionWatcher {
  status: ConnectionStatus = 'offline';
  notices: readonly ShownNotice[] = [];

  protected follow(connection: LiveConnection | null): Array<() => void> {
    this.status = connection === null ? 'offline' : connection.status;
    // A connection raises its version notices once, maybe before this host followed it (a view
    // opened afterwards): they stand for as long as the tab does, or until dismissed.
    if (connection?.newBuild) this.notices = withNotice(this.notices, { kind: 'new-build' });
    if (connection?.outdated) this.notices = withNotice(this.notices, { kind: 'upgraded' });
    this._host.requestUpdate();
    if (connection === null) return [];
    return [
      connection.onStatus((status) => {
        this.status = status;
        this._host.requestUpdate();
      }),
      connection.onNotice((notice) => {
        this.notices = withNotice(this.notices, notice);
        this._host.requestUpdate();
      }),
    ];
  }

  /** The user closed the notice of `slot` (an `upgraded` one cannot be closed). */
  dismissNotice(slot: NoticeSlot): void {
    this.notices = withoutSlot(this.notices, slot);
    this._host.requestUpdate();
  }
}

/**
 * Calls `onReconnect` whenever the host's connection comes back after a loss, so a view whose REST
 * load failed during the outage loads again. Call `watch()` when the host's connection changed.
 */
export class ReconnectController extends ConnectionWatcher {
  private readonly _onReconnect: () => void;

  constructor(host: ReactiveControllerHost, connection: () => LiveConnection | null, onReconnect: () => void) {
    super(host, connection);
    this._onReconnect = onReconnect;
  }

  protected follow(connection: LiveConnection | null): Array<() => void> {
    return connection === null ? [] : [connection.onReconnect(() => this._onReconnect())];
  }
}
