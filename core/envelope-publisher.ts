// Puts records on the bus in envelopes: records for the same subject that arrive within a short
// linger go out as one message (docs/events.md, Envelopes). Used by high-volume producers (the
// benchmark's load generator, replays); one instance per producer.
import { HEADER_BATCH, MAX_ENVELOPE_RECORDS, encodeEnvelope, envelopeByteLimit } from './envelope.js';
import { messageHeaders } from './bus.js';
import type { JetStreamPublisher, PublishAck } from './jetstream-publisher.js';

export type EnvelopeOptions = {
  /** Records per envelope at most (1–256); a full envelope leaves at once. */
  readonly maxRecords: number;
  /** How long the first record of an envelope may wait for others (ms); 0 sends on the next turn of the event loop. */
  readonly lingerMs: number;
  /**
   * Prefix of the envelopes' dedup ids (`<prefix>:<n>`). Unique per producer run, so that two
   * producers (or two runs) never share an id within JetStream's duplicate window.
   */
  readonly idPrefix: string;
};

type Open = {
  readonly records: string[];
  /** An upper bound of the records' UTF-8 bytes with their newlines (3 per UTF-16 unit), then their exact count once that bound passed the limit. */
  bytes: number;
  exact: boolean;
  readonly stored: Promise<PublishAck>;
  resolve: (ack: PublishAck) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout | null;
};

export class EnvelopePublisher {
  private readonly _publisher: JetStreamPublisher;
  private readonly _options: EnvelopeOptions;
  private readonly _open = new Map<string, Open>();
  private _next = 0;
  private _immediate: NodeJS.Immediate | null = null;

  constructor(publisher: JetStreamPublisher, options: EnvelopeOptions) {
    if (!(options.maxRecords >= 1 && options.maxRecords <= MAX_ENVELOPE_RECORDS)) {
      throw new RangeError(`an envelope holds 1 to ${MAX_ENVELOPE_RECORDS} records; got ${options.maxRecords}`);
    }
    this._publisher = publisher;
    this._options = options;
    this._flushAll = this._flushAll.bind(this);
  }

  /**
   * Adds a record; resolves when JetStream has stored the envelope that carries it (one promise
   * per envelope). An envelope that the record would take past the server's max_payload leaves
   * first, and the record opens the next.
   */
  add(subject: string, record: string): Promise<PublishAck> {
    let open = this._open.get(subject);
    if (open && !fits(open, record, envelopeByteLimit(this._publisher.maxPayload))) {
      this._flush(subject);
      open = undefined;
    }
    if (!open) {
      open = openEnvelope();
      this._open.set(subject, open);
      if (this._options.lingerMs > 0) {
        open.timer = setTimeout(() => this._flush(subject), this._options.lingerMs);
      } else {
        this._immediate ??= setImmediate(this._flushAll);
      }
    }
    open.bytes += (open.exact ? Buffer.byteLength(record) : record.length * 3) + (open.records.length > 0 ? 1 : 0);
    open.records.push(record);
    if (open.records.length >= this._options.maxRecords) this._flush(subject);
    return open.stored;
  }

  /** Records waiting in open envelopes. */
  get waiting(): number {
    let n = 0;
    for (const open of this._open.values()) n += open.records.length;
    return n;
  }

  /** Sends every open envelope now. */
  flush(): void {
    this._flushAll();
  }

  private _flushAll(): void {
    this._immediate = null;
    for (const subject of [...this._open.keys()]) this._flush(subject);
  }

  private _flush(subject: string): void {
    const open = this._open.get(subject);
    if (!open) return;
    this._open.delete(subject);
    if (open.timer) clearTimeout(open.timer);
    const h = messageHeaders(Date.now());
    h.set(HEADER_BATCH, String(open.records.length));
    const id = `${this._options.idPrefix}:${++this._next}`;
    this._publisher.publish(subject, encodeEnvelope(open.records), id, h).then(open.resolve, open.reject);
  }
}

/** Whether the record still fits the open envelope (in bytes; an empty envelope takes anything). */
function fits(open: Open, record: string, maxBytes: number): boolean {
  if (open.records.length === 0) return true;
  // UTF-8 takes at most 3 bytes per UTF-16 unit: count exactly only when that bound could pass.
  if (!open.exact && open.bytes + 1 + record.length * 3 <= maxBytes) return true;
  if (!open.exact) {
    open.bytes = Buffer.byteLength(encodeEnvelope(open.records));
    open.exact = true;
  }
  return open.bytes + 1 + Buffer.byteLength(record) <= maxBytes;
}

function openEnvelope(): Open {
  let resolve!: (ack: PublishAck) => void;
  let reject!: (error: Error) => void;
  const stored = new Promise<PublishAck>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { records: [], bytes: 0, exact: false, stored, resolve, reject, timer: null };
}
