// Seeded randomness for the simulator. Every draw goes through pure-rand so that one seed gives
// one stream; derived generators let the world describe customer #i without storing it.
import { xoroshiro128plusFromState } from 'pure-rand/generator/xoroshiro128plus';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';

/** Murmur3's 32-bit finaliser: spreads every input bit over the output, so nearby keys diverge. */
export function mix32(value: number): number {
  let h = value | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A stable 32-bit hash of a seed and a path of integers (stream, index, ...). */
export function hashKey(seed: number, ...parts: readonly number[]): number {
  let h = mix32(seed ^ 0x9e3779b9);
  for (const part of parts) h = hashStep(h, part);
  return h;
}

/** One step of hashKey, for hot paths that cannot afford a rest-argument array. */
export function hashStep(h: number, part: number): number {
  return mix32(h ^ mix32(part + 0x7f4a7c15));
}

const TWO_PI = 2 * Math.PI;
const TWO_POW_MINUS_32 = 2 ** -32;

export class Rng {
  private readonly _gen: RandomGenerator;

  private constructor(gen: RandomGenerator) {
    this._gen = gen;
  }

  /**
   * A generator for a seed and an optional key path. The state is filled by hashing, not by
   * pure-rand's `xoroshiro128plus(seed)`, whose first outputs for small seeds are poorly mixed.
   */
  static of(seed: number, ...key: readonly number[]): Rng {
    const a = hashKey(seed, 1, ...key);
    const b = hashKey(seed, 2, ...key);
    const c = hashKey(seed, 3, ...key);
    const d = hashKey(seed, 4, ...key) | 1; // never the all-zero state
    return new Rng(xoroshiro128plusFromState([a | 0, b | 0, c | 0, d | 0]));
  }

  /**
   * Uniform in [0, 1), from one 32-bit draw. pure-rand's uniformFloat64 spends two draws for 53
   * bits; 32 bits are plenty for a simulation and this sits on the hot path of every event.
   */
  float(): number {
    return (this._gen.next() >>> 0) * TWO_POW_MINUS_32;
  }

  /**
   * Uniform integer in [from, to], both included. Scaling a 32-bit draw is biased by at most
   * range / 2^32, which no simulated count or index can notice, and avoids rejection loops.
   */
  int(from: number, to: number): number {
    return from + Math.floor(this.float() * (to - from + 1));
  }

  /** A raw unsigned 32-bit draw, for ids. */
  uint32(): number {
    return this._gen.next() >>> 0;
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  between(from: number, to: number): number {
    return from + (to - from) * this.float();
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty list');
    return items[this.int(0, items.length - 1)] as T;
  }

  /** Standard normal (Box-Muller; one value per call keeps the draw count fixed per call). */
  normal(): number {
    const u = 1 - this.float();
    const v = this.float();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(TWO_PI * v);
  }

  /** Log-normal around a median: payment amounts are skewed with a long right tail. */
  logNormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal());
  }

  /** Exponential waiting time with the given mean. */
  exponential(mean: number): number {
    return -Math.log(1 - this.float()) * mean;
  }

  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(0, i);
      const tmp = items[i] as T;
      items[i] = items[j] as T;
      items[j] = tmp;
    }
    return items;
  }
}

/** A weighted choice built once: cumulative weights and a binary search per draw. */
export class WeightedChoice<T> {
  private readonly _items: readonly T[];
  private readonly _cumulative: Float64Array;
  private readonly _total: number;

  constructor(entries: ReadonlyArray<readonly [T, number]>) {
    const positive = entries.filter(([, w]) => w > 0);
    if (positive.length === 0) throw new RangeError('a weighted choice needs a positive weight');
    this._items = positive.map(([item]) => item);
    this._cumulative = new Float64Array(positive.length);
    let total = 0;
    positive.forEach(([, w], i) => {
      total += w;
      this._cumulative[i] = total;
    });
    this._total = total;
  }

  pick(rng: Rng): T {
    const target = rng.float() * this._total;
    let lo = 0;
    let hi = this._cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this._cumulative[mid] as number) > target) hi = mid;
      else lo = mid + 1;
    }
    return this._items[lo] as T;
  }

  get items(): readonly T[] {
    return this._items;
  }
}
