// The bus messages that carried the bench's own events: the distinct events-stream sequences of their
// acknowledgements (JetStream's ack, or the gateway's answer). Events of one envelope share a sequence.
// The stream's own count over the run (last_seq after minus before) took in whatever else the
// namespace carried meanwhile, such as a running demo's simulator, as if it were the bench's.

/** A set of stream sequences, as bits over the range seen: a byte covers 8 messages, however many events share one. */
export class BusMessageCount {
  private _bits = new Uint8Array(0);
  /** The sequence of bit 0 of _bits. */
  private _base = 0;
  private _count = 0;

  /** Notes that a message with this sequence carried one of the bench's events. */
  add(seq: number): void {
    if (!Number.isSafeInteger(seq) || seq < 0) return;
    this._cover(seq);
    const at = seq - this._base;
    const mask = 1 << (at & 7);
    const byte = at >> 3;
    if ((this._bits[byte]! & mask) !== 0) return;
    this._bits[byte]! |= mask;
    this._count++;
  }

  /** The distinct sequences noted. */
  get size(): number {
    return this._count;
  }

  /** Grows the bits to cover seq, doubling so that a run's stream of sequences costs few copies. */
  private _cover(seq: number): void {
    if (this._bits.length === 0) {
      this._base = seq - (seq % 8);
      this._bits = new Uint8Array(1024);
      return;
    }
    const end = this._base + this._bits.length * 8;
    if (seq >= this._base && seq < end) return;
    const low = Math.min(this._base, seq - (seq % 8));
    const high = Math.max(end, seq + 1);
    const bytes = Math.max(this._bits.length * 2, Math.ceil((high - low) / 8));
    const grown = new Uint8Array(bytes);
    grown.set(this._bits, (this._base - low) / 8);
    this._bits = grown;
    this._base = low;
  }
}
