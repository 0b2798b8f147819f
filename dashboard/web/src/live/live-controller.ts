// Reactive controllers over the tab's LiveConnection. Components never touch the socket: a
// LiveTopicController subscribes when its host connects and leaves when it disconnects, and a
// ConnectionStateController re-renders its host on status changes and notices.
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { ConnectionStatus, LiveConnection, LiveListener, LiveNotice, Subscription } from './live-connection.js';

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

/** Follows the connection status and its notices for an indicator. */
export class ConnectionStateController implements ReactiveController {
  status: ConnectionStatus = 'offline';
  notice: LiveNotice | null = null;
  private readonly _host: ReactiveControllerHost;
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
    if (connection === null) {
      this.status = 'offline';
      this._host.requestUpdate();
      return;
    }
    this.status = connection.status;
    this._off = [
      connection.onStatus((status) => {
        this.status = status;
        this._host.requestUpdate();
      }),
      connection.onNotice((notice) => {
        this.notice = notice;
        this._host.requestUpdate();
      }),
    ];
    this._host.requestUpdate();
  }

  dismissNotice(): void {
    this.notice = null;
    this._host.requestUpdate();
  }

  private _unwatch(): void {
    for (const off of this._off) off();
    this._off = [];
    this._watched = null;
  }
}

/**
 * Calls `onReconnect` whenever the host's connection comes back after a loss, so a view whose REST
 * load failed during the outage loads again. Call `watch()` when the host's connection changed.
 */
export class ReconnectController implements ReactiveController {
  private readonly _connection: () => LiveConnection | null;
  private readonly _onReconnect: () => void;
  private _off: (() => void) | null = null;
  private _watched: LiveConnection | null = null;

  constructor(host: ReactiveControllerHost, connection: () => LiveConnection | null, onReconnect: () => void) {
    this._connection = connection;
    this._onReconnect = onReconnect;
    host.addController(this);
  }

  hostConnected(): void {
    this.watch();
  }

  hostDisconnected(): void {
    this._off?.();
    this._off = null;
    this._watched = null;
  }

  watch(): void {
    const connection = this._connection();
    if (connection === this._watched) return;
    this._off?.();
    this._watched = connection;
    this._off = connection === null ? null : connection.onReconnect(() => this._onReconnect());
  }
}
