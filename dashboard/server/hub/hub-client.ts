// One connected WebSocket as the hub holds it: who it is, what it subscribed to, and its outbox.
// Writes go through the outbox; each completed write gives the outbox a chance to send what waits.
import type { WebSocket } from 'ws';
import type { SessionUser, ServerMessage } from '../protocol.js';
import { ClientOutbox, type MissedEncoder, type OutboxLimits, type OutboxObserver, type OutboxSink } from './client-outbox.js';

const TEXT_FRAME = { binary: false } as const;

/** The ws socket seen as an outbox sink. */
class SocketSink implements OutboxSink {
  private readonly _socket: WebSocket;
  private readonly _onWritten: (error?: Error | null) => void;

  constructor(socket: WebSocket, onWritten: (error?: Error | null) => void) {
    this._socket = socket;
    this._onWritten = onWritten;
  }

  get bufferedAmount(): number {
    return this._socket.bufferedAmount;
  }

  get writable(): boolean {
    return this._socket.readyState === 1; // OPEN
  }

  write(frame: Buffer): void {
    // Sent as a text frame: the same Buffer goes to every client, so a message is encoded once.
    this._socket.send(frame, TEXT_FRAME, this._onWritten);
  }
}

export function encodeMessage(message: ServerMessage): Buffer {
  return Buffer.from(JSON.stringify(message));
}

export class HubClient {
  readonly id: number;
  readonly user: SessionUser;
  readonly socket: WebSocket;
  readonly outbox: ClientOutbox;
  readonly connectedAt: number;
  kpi = false;
  health = false;
  alerts = false;
  /** Set by the heartbeat: cleared when a ping goes out, set again by the pong (or any message). */
  alive = true;
  /** Messages received in the current one-second window (a flood closes the socket). */
  messagesThisSecond = 0;
  messageWindowStart = 0;
  closing = false;

  constructor(id: number, user: SessionUser, socket: WebSocket, limits: OutboxLimits, observer: OutboxObserver, encodeMissed: MissedEncoder, now: number) {
    this.id = id;
    this.user = user;
    this.socket = socket;
    this.connectedAt = now;
    this._onWritten = this._onWritten.bind(this);
    this.outbox = new ClientOutbox(new SocketSink(socket, this._onWritten), limits, observer, encodeMissed);
  }

  /** Sends an answer or one-off message; false when too many answers wait (the caller closes). */
  answer(message: ServerMessage): boolean {
    return this.outbox.control(encodeMessage(message), message.type);
  }

  private _onWritten(error?: Error | null): void {
    if (!error && this.outbox.backlogged) this.outbox.flush();
  }
}
