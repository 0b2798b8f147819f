// One connected WebSocket as the hub holds it: who it is, what it subscribed to, and its outbox.
// Writes go through the outbox; each completed write gives the outbox a chance to send what waits.
import * as ws from 'ws';
import type { WebSocket } from 'ws';
import { LIVE_PROTOCOL_VERSION, type SessionUser, type ServerMessage } from '../protocol.js';
import { ClientOutbox, type MissedEncoder, type OutboxLimits, type OutboxObserver, type OutboxSink } from './client-outbox.js';

const TEXT_FRAME = { binary: false } as const;
/** Bytes a client may take in one burst (while corked) before its backlog counts them. */
const CORKED_BYTES_UNCOUNTED = 1024 * 1024;

/** The TCP socket under a ws WebSocket (ws keeps it as `_socket`), as far as the sink uses it. */
type RawSocket = { cork(): void; uncork(): void; write(chunk: Buffer, callback: (error?: Error | null) => void): boolean };

function rawSocketOf(socket: WebSocket): RawSocket | null {
  const raw = (socket as unknown as { _socket?: Partial<RawSocket> })._socket;
  return raw && typeof raw.cork === 'function' && typeof raw.uncork === 'function' && typeof raw.write === 'function' ? (raw as RawSocket) : null;
}

type FrameOptions = { fin: boolean; opcode: number; mask: boolean; readOnly: boolean; rsv1: boolean };
/** ws's own framing (`Sender.frame`: exported by ws, not in its type declarations). */
const frameParts = (ws as unknown as { Sender: { frame(data: Buffer, options: FrameOptions): Buffer[] } }).Sender.frame;
/** A whole, unfragmented text frame, unmasked as every server frame is (RFC 6455, 5.1). */
const TEXT_FRAME_OPTIONS: FrameOptions = { fin: true, opcode: 0x01, mask: false, readOnly: true, rsv1: false };
const framed = new WeakMap<Buffer, Buffer>();

/**
 * The complete WebSocket frame (header and payload) of a message, built once per payload however
 * many clients get it: server frames are not masked, so every client's bytes are the same.
 */
export function textFrameOf(payload: Buffer): Buffer {
  let frame = framed.get(payload);
  if (frame === undefined) {
    const parts = frameParts(payload, TEXT_FRAME_OPTIONS);
    frame = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
    framed.set(payload, frame);
  }
  return frame;
}

/**
 * The ws socket seen as an outbox sink. Frames written in one go leave in one system call: the TCP
 * socket is corked at the first write and uncorked once the running task is done (a microtask: the
 * NATS client hands the hub a whole read of messages in one task, so a burst goes out together,
 * and nothing waits for the rest of the event loop's turn). Under
 * load the hub writes hundreds of alerts a second to each of many clients; one write call per frame
 * made the main thread spend most of its time in writev (and, on a busy machine, hand the CPU to the
 * reader at every call), which stalled everything else it serves for seconds.
 *
 * Each message is framed once for every client (`textFrameOf`) and written to the TCP socket as
 * one chunk, rather than through ws's `send`, which builds a header and writes two chunks with a
 * callback per message and per client. That is safe because nothing else queues frames in ws's
 * sender: compression is off (hub-plugin.ts) and the hub sends no blobs; ws's own pings and close
 * frames are written straight to the same socket, whole, in order with ours.
 */
class SocketSink implements OutboxSink {
  private readonly _socket: WebSocket;
  private readonly _onWritten: (error?: Error | null) => void;
  private readonly _raw: RawSocket | null;
  private _corked = false;
  /** Bytes written since the socket was corked. */
  private _corkedBytes = 0;

  constructor(socket: WebSocket, onWritten: (error?: Error | null) => void) {
    this._socket = socket;
    this._onWritten = onWritten;
    this._raw = rawSocketOf(socket);
    this._uncork = this._uncork.bind(this);
  }

  /**
   * What waits from earlier writes: frames written since the cork are held by it, not by a slow
   * reader, and count only beyond CORKED_BYTES_UNCOUNTED (so a stalled client still stops taking
   * writes within one burst).
   */
  get bufferedAmount(): number {
    return Math.max(0, this._socket.bufferedAmount - Math.min(this._corkedBytes, CORKED_BYTES_UNCOUNTED));
  }

  get writable(): boolean {
    return this._socket.readyState === 1; // OPEN
  }

  write(payload: Buffer): void {
    const raw = this._raw;
    if (!raw) {
      // Not a plain ws socket (never the case under @fastify/websocket): let ws frame and write it.
      this._socket.send(payload, TEXT_FRAME, this._onWritten);
      return;
    }
    if (!this._corked) {
      this._corked = true;
      raw.cork();
      queueMicrotask(this._uncork);
    }
    const frame = textFrameOf(payload);
    this._corkedBytes += frame.length;
    // The callback lets the outbox send what waits as soon as this frame has left.
    raw.write(frame, this._onWritten);
  }

  private _uncork(): void {
    this._corked = false;
    this._corkedBytes = 0;
    this._raw?.uncork();
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
  /** The /ws protocol version the tab stated when it connected (protocol-version.ts). */
  readonly protocol: number;
  kpi = false;
  health = false;
  alerts = false;
  /** Set by the heartbeat: cleared when a ping goes out, set again by the pong (or any message). */
  alive = true;
  /** Messages received in the current one-second window (a flood closes the socket). */
  messagesThisSecond = 0;
  messageWindowStart = 0;
  closing = false;

  constructor(id: number, user: SessionUser, socket: WebSocket, limits: OutboxLimits, observer: OutboxObserver, encodeMissed: MissedEncoder, now: number, protocol: number = LIVE_PROTOCOL_VERSION) {
    this.id = id;
    this.user = user;
    this.socket = socket;
    this.connectedAt = now;
    this.protocol = protocol;
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
