// How the command line reads its option values: whole numbers in decimal digits (Number() would take
// ' ', 0x10 and 1e3), fractions, and times that are dates of the calendar with their zone.
import { InvalidArgumentError } from 'commander';
// core/envelope.js rather than core/index.js: parsed before any command is loaded (bin/riskstream.ts)
import { MAX_ENVELOPE_RECORDS } from '../core/envelope.js';

function wholeNumberOf(value: string): number {
  return /^[0-9]{1,15}$/.test(value) ? Number(value) : Number.NaN;
}

/** 0 or more: for options where 0 means something (none, no wait, a seed). */
export function wholeNumber(value: string): number {
  const n = wholeNumberOf(value);
  if (!Number.isSafeInteger(n)) throw new InvalidArgumentError('expected a whole number');
  return n;
}

/** 1 or more: for counts, sizes and limits, where 0 makes no sense. */
export function atLeastOne(value: string): number {
  const n = wholeNumberOf(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number of at least 1');
  return n;
}

export function fraction(value: string): number {
  const n = /^\s*$/.test(value) ? Number.NaN : Number(value);
  if (!(n >= 0 && n <= 1)) throw new InvalidArgumentError('expected a number from 0 to 1');
  return n;
}

export function envelopeSize(value: string): number {
  const n = wholeNumberOf(value);
  if (!Number.isInteger(n) || n < 1 || n > MAX_ENVELOPE_RECORDS) throw new InvalidArgumentError(`expected a whole number from 1 to ${MAX_ENVELOPE_RECORDS}`);
  return n;
}

/**
 * A time with its zone, as --start and --since take it: an impossible date (2024-02-30) is refused,
 * not rolled over, and a time without Z or an offset, not read as this machine's local time.
 */
export function isoTimeWithZone(value: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i.exec(value);
  const ms = Date.parse(value);
  if (m === null || Number.isNaN(ms)) throw new InvalidArgumentError('expected an ISO 8601 time with its zone, such as 2026-11-29T00:00:00Z or 2026-11-29T01:00:00+01:00');
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map((part) => Number(part ?? 0)) as [number, number, number, number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) {
    throw new InvalidArgumentError(`${value} is not a date and time of the calendar`);
  }
  return ms;
}

/**
 * One of `choices`, or an error naming them, with the one meant when the value is a slip of a
 * letter or two from it or from one of its words (`paysum`: did you mean paysim? `monitr`: did you
 * mean risk_monitor?), as commander suggests for option names.
 */
export function oneOf<T extends string>(choices: readonly T[], what: string): (value: string) => T {
  return function choice(value) {
    if ((choices as readonly string[]).includes(value)) return value as T;
    const near = closestOf(value, choices);
    throw new InvalidArgumentError(`unknown ${what} "${value}"${near.length === 0 ? '' : `; did you mean ${near.join(' or ')}?`} (one of ${choices.join(', ')})`);
  };
}

/**
 * The choices within two edits of value, the closest only (all that are as close: `officer` is
 * compliance_officer or credit_officer). A choice of several words (risk_monitor, ieee-cis) is also
 * measured by each word: the one people remember is often the last.
 */
function closestOf(value: string, choices: readonly string[]): string[] {
  const typed = value.toLowerCase();
  let nearest: string[] = [];
  let fewest = Number.POSITIVE_INFINITY;
  for (const choice of choices) {
    const parts = [choice, ...(/[_-]/.test(choice) ? choice.split(/[_-]/) : [])];
    const edits = Math.min(...parts.map((part) => slipsFrom(typed, part)));
    if (edits < fewest) [nearest, fewest] = [[choice], edits];
    else if (edits === fewest && edits !== Number.POSITIVE_INFINITY) nearest.push(choice);
  }
  return nearest;
}

/** The edits from part to what was typed when few enough to be a slip (two, one for a short word), else infinity. */
function slipsFrom(typed: string, part: string): number {
  const edits = editDistance(typed, part.toLowerCase());
  return edits <= Math.min(2, Math.floor(part.length / 3)) ? edits : Number.POSITIVE_INFINITY;
}

/** Levenshtein distance: letters inserted, removed or replaced to turn a into b. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = row;
  }
  return previous[b.length]!;
}
