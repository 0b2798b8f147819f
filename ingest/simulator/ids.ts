// Identifier formats. Every id of a kind comes from one function here, for normal and injected
// traffic alike, so that an id never hints at ground truth.
import { mix32, type Rng } from './rng.js';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** Every pair of Crockford digits, indexed by 10 bits: a ULID is then 13 lookups, not 26. */
const PAIRS: readonly string[] = Array.from({ length: 1024 }, (_, i) => CROCKFORD.charAt(i >>> 5) + CROCKFORD.charAt(i & 31));
const TWO_POW_30 = 2 ** 30;

/**
 * A ULID (time-ordered, 26 characters): the event id. The random part comes from the seeded
 * generator so that a seed reproduces ids too.
 */
export function eventId(ts: number, rng: Rng): string {
  // 50 bits of milliseconds (the ULID's 48, zero-padded at the top) as five 10-bit pairs.
  const time = Math.max(0, Math.floor(ts));
  const high = Math.floor(time / TWO_POW_30); // top 20 bits
  const low = time % TWO_POW_30; // bottom 30 bits
  const a = rng.uint32();
  const b = rng.uint32();
  const c = rng.uint32();
  return (
    (PAIRS[(high >>> 10) & 1023] as string) +
    (PAIRS[high & 1023] as string) +
    (PAIRS[(low >>> 20) & 1023] as string) +
    (PAIRS[(low >>> 10) & 1023] as string) +
    (PAIRS[low & 1023] as string) +
    // 80 random bits: 30 + 30 + 20 from three draws.
    (PAIRS[(a >>> 20) & 1023] as string) +
    (PAIRS[(a >>> 10) & 1023] as string) +
    (PAIRS[a & 1023] as string) +
    (PAIRS[(b >>> 20) & 1023] as string) +
    (PAIRS[(b >>> 10) & 1023] as string) +
    (PAIRS[b & 1023] as string) +
    (PAIRS[(c >>> 10) & 1023] as string) +
    (PAIRS[c & 1023] as string)
  );
}

/** A bijection on 32-bit integers keyed by the seed: distinct indexes give distinct numbers. */
function permute32(value: number, key: number): number {
  let x = (value ^ key) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d) >>> 0;
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b) >>> 0;
  return (x ^ (x >>> 16)) >>> 0;
}

/** Multiplicative inverse of an odd number modulo 2^32 (Newton's iteration). */
function inverseOdd(a: number): number {
  let x = a;
  for (let i = 0; i < 5; i++) x = Math.imul(x, 2 - Math.imul(a, x));
  return x >>> 0;
}
const INV_A = inverseOdd(0x7feb352d);
const INV_B = inverseOdd(0x846ca68b);

function unpermute32(value: number, key: number): number {
  let x = (value ^ (value >>> 16)) >>> 0;
  x = Math.imul(x, INV_B) >>> 0;
  x = (x ^ (x >>> 15) ^ (x >>> 30)) >>> 0;
  x = Math.imul(x, INV_A) >>> 0;
  x = (x ^ (x >>> 16)) >>> 0;
  return (x ^ key) >>> 0;
}

function digits(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

export function customerId(index: number, seed: number): string {
  return 'CU' + digits(permute32(index, mix32(seed ^ 0x43555354)), 10);
}

/** The index behind a customer id of this seed, or undefined for an id it did not make. */
export function customerIndex(id: string, seed: number): number | undefined {
  if (id.length !== 12 || !id.startsWith('CU')) return undefined;
  const value = Number(id.slice(2));
  if (!Number.isInteger(value) || value > 0xffffffff) return undefined;
  return unpermute32(value, mix32(seed ^ 0x43555354));
}

/**
 * Accounts share one format, "AC" and 12 digits. The bank's own accounts are a bijection of
 * (customer, slot), so below 5e9; accounts at other banks are drawn above 1e11, so they never
 * collide with ours.
 */
export function ownAccountId(customerIndex: number, slot: number, seed: number): string {
  return 'AC' + digits(permute32(customerIndex * 4 + slot, mix32(seed ^ 0x41434354)), 12);
}

export function externalAccountId(rng: Rng): string {
  const high = rng.int(100_000, 999_999);
  const low = rng.int(0, 999_999);
  return 'AC' + digits(high, 6) + digits(low, 6);
}

export function deviceId(rng: Rng): string {
  return 'dv-' + rng.uint32().toString(16).padStart(8, '0') + (rng.uint32() & 0xffff).toString(16).padStart(4, '0');
}

export function merchantId(rng: Rng): string {
  return 'MER' + digits(rng.int(0, 99_999_999), 8);
}

export function loanId(rng: Rng): string {
  return 'LN' + digits(rng.int(0, 999_999_999), 9) + digits(rng.int(0, 9), 1);
}

export function applicationId(rng: Rng): string {
  return 'APP' + digits(rng.int(0, 999_999_999), 9) + digits(rng.int(0, 9), 1);
}

export function collateralId(rng: Rng): string {
  return 'COL' + digits(rng.int(0, 999_999_999), 9);
}
