// A set of event ids that stays small at the size of the public data sets (tens of millions of
// ids), where a Set or Map of strings would take gigabytes or hit its size limit: the replay's
// ledger finds its events with it, `replay` counts the events decided before a run with it, and
// `riskstream import` catches a data set's repeated ids with it.

/**
 * Event ids to their place in the ledger, by two 32-bit hashes of the id in an open-addressing
 * table of typed arrays: ≈ 25 bytes per event whatever the id's length, and no limit at 2^24
 * entries as a Map has (AMLworld's larger files hold 30 to 180 million transactions). Two ids with
 * both hashes equal (about one chance in 10^5 among 30 million) would count as one event.
 */
export class IdIndex {
  /** Two hashes per slot. */
  private _keys = new Uint32Array(2 * 1024);
  /** The value per slot; -1: empty. */
  private _values = new Int32Array(1024).fill(-1);
  private _count = 0;

  get size(): number {
    return this._count;
  }

  get(id: string): number | undefined {
    const [a, b] = hashes(id);
    const mask = this._values.length - 1;
    for (let slot = a & mask; ; slot = (slot + 1) & mask) {
      const value = this._values[slot]!;
      if (value === -1) return undefined;
      if (this._keys[2 * slot] === a && this._keys[2 * slot + 1] === b) return value;
    }
  }

  /** Adds the id with `value` (0 to 2^31 − 1); false when it is there already. */
  add(id: string, value: number): boolean {
    if ((this._count + 1) * 10 > this._values.length * 7) this._grow();
    const [a, b] = hashes(id);
    const mask = this._values.length - 1;
    for (let slot = a & mask; ; slot = (slot + 1) & mask) {
      if (this._values[slot] === -1) {
        this._keys[2 * slot] = a;
        this._keys[2 * slot + 1] = b;
        this._values[slot] = value;
        this._count++;
        return true;
      }
      if (this._keys[2 * slot] === a && this._keys[2 * slot + 1] === b) return false;
    }
  }

  private _grow(): void {
    const keys = this._keys;
    const values = this._values;
    this._keys = new Uint32Array(keys.length * 2);
    this._values = new Int32Array(values.length * 2).fill(-1);
    const mask = this._values.length - 1;
    for (let old = 0; old < values.length; old++) {
      if (values[old] === -1) continue;
      const a = keys[2 * old]!;
      let slot = a & mask;
      while (this._values[slot] !== -1) slot = (slot + 1) & mask;
      this._keys[2 * slot] = a;
      this._keys[2 * slot + 1] = keys[2 * old + 1]!;
      this._values[slot] = values[old]!;
    }
  }
}

/** Two independent 32-bit hashes of a string: FNV-1a, and a multiply-xorshift with another seed. */
function hashes(id: string): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x9e3779b9;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  // Spread FNV's low bits, which pick the slot.
  a ^= a >>> 16;
  a = Math.imul(a, 0x85ebca6b);
  a ^= a >>> 13;
  return [a >>> 0, b >>> 0];
}
