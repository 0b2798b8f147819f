// Field checks for the wire messages that have no compiled schema (decisions, alerts, dead
// letters): each reads one field or throws a WireFieldError naming its JSON pointer.
import { isPlausibleMs } from '../../sql.js';

export class WireFieldError extends Error {
  override readonly name = 'WireFieldError';
  constructor(readonly path: string, problem: string) {
    super(`${path} ${problem}`);
  }
}

export type WireObject = Readonly<Record<string, unknown>>;


export function objectAt(value: unknown, path: string): WireObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new WireFieldError(path || '/', 'must be an object');
  return value as WireObject;
}

export function text(o: WireObject, key: string, path = '', maxLength = 1024): string {
  const value = o[key];
  if (typeof value !== 'string') throw new WireFieldError(`${path}/${key}`, 'must be a string');
  if (value.length > maxLength) throw new WireFieldError(`${path}/${key}`, `must be at most ${maxLength} characters`);
  return value;
}

export function nonEmptyText(o: WireObject, key: string, path = '', maxLength = 256): string {
  const value = text(o, key, path, maxLength);
  if (value === '') throw new WireFieldError(`${path}/${key}`, 'must not be empty');
  return value;
}

export function oneOf<const T extends readonly string[]>(o: WireObject, key: string, values: T, path = ''): T[number] {
  const value = o[key];
  if (typeof value !== 'string' || !values.includes(value)) throw new WireFieldError(`${path}/${key}`, `must be one of: ${values.join(', ')}`);
  return value;
}

export function finite(o: WireObject, key: string, path = ''): number {
  const value = o[key];
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new WireFieldError(`${path}/${key}`, 'must be a finite number');
  return value;
}

export function integer(o: WireObject, key: string, min: number, max: number, path = ''): number {
  const value = o[key];
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new WireFieldError(`${path}/${key}`, `must be an integer from ${min} to ${max}`);
  }
  return value;
}

export function epochMs(o: WireObject, key: string, path = ''): number {
  const value = o[key];
  if (typeof value !== 'number' || !isPlausibleMs(value)) {
    throw new WireFieldError(`${path}/${key}`, 'must be epoch milliseconds between 2000 and 2100');
  }
  return value;
}

export function nullable<T>(o: WireObject, key: string, read: (o: WireObject, key: string) => T): T | null {
  return o[key] === null || o[key] === undefined ? null : read(o, key);
}

export function currencyCode(o: WireObject, key: string): string {
  const value = text(o, key);
  // Kinds without money carry an empty currency.
  if (value !== '' && !/^[A-Z]{3}$/.test(value)) throw new WireFieldError(`/${key}`, 'must be an ISO 4217 code or empty');
  return value;
}

/**
 * A text field added to a wire type after its version shipped: a message from an older publisher
 * (still on the stream after an upgrade) has none, and reads as '' instead of being refused.
 */
export function addedText(o: WireObject, key: string, path = '', maxLength = 1024): string {
  return o[key] === undefined ? '' : text(o, key, path, maxLength);
}

/** An ISO 3166-1 alpha-2 country code or '' (unknown); absent reads as '' (see addedText). */
export function addedCountryCode(o: WireObject, key: string): string {
  const value = addedText(o, key);
  if (value !== '' && !/^[A-Z]{2}$/.test(value)) throw new WireFieldError(`/${key}`, 'must be an ISO 3166-1 alpha-2 code or empty');
  return value;
}

export function textArray(o: WireObject, key: string, path = ''): string[] {
  const value = o[key];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw new WireFieldError(`${path}/${key}`, 'must be an array of strings');
  return value as string[];
}

export function optionalBoolean(o: WireObject, key: string, path = ''): boolean | null {
  const value = o[key];
  if (value === undefined) return null;
  if (typeof value !== 'boolean') throw new WireFieldError(`${path}/${key}`, 'must be true or false');
  return value;
}

/** A JSON object whose values all pass `check`; returns it as a plain record. */
export function record<T>(o: WireObject, key: string, check: (v: unknown) => v is T, what: string): Record<string, T> {
  const value = objectAt(o[key], `/${key}`);
  // for…in over a parsed JSON object: its own keys, without the array Object.entries builds.
  for (const k in value) {
    if (!check(value[k])) throw new WireFieldError(`/${key}/${k}`, `must be ${what}`);
  }
  return value as Record<string, T>;
}

export function isString(v: unknown): v is string {
  return typeof v === 'string';
}

export function isFiniteNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}
