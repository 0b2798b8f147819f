// Small text helpers for messages people read (logs, health checks, command output).

/**
 * The text on one line (runs of white space as one space, other control characters and
 * undecodable bytes shown as `?`, so that what a file held cannot drive a terminal), cut to `max`
 * characters with an ellipsis.
 */
export function oneLine(text: string, max: number): string {
  // eslint-disable-next-line no-control-regex
  const flat = text.replace(/\s+/g, ' ').replace(/[\u0000-\u001f\u007f-\u009f\ufffd]/g, '?').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

/** A count with its noun, singular for one: `1 message`, `1,234 messages`, `2 processes` (give the plural when it is not the noun with an s). */
export function countOf(n: number, singular: string, plural = `${singular}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? singular : plural}`;
}

/** A lone UTF-16 surrogate: half of a pair whose other half is missing. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * The text with each lone surrogate replaced by U+FFFD, as String.prototype.toWellFormed does (not
 * in this TypeScript library target): what a UTF-8 store would make of it, done before, so that the
 * text stored is the text meant.
 */
export function wellFormed(text: string): string {
  return text.replace(LONE_SURROGATE, '\uFFFD');
}

/** A lone surrogate anywhere (not global: `test` keeps no position between calls). */
const ANY_LONE_SURROGATE = new RegExp(LONE_SURROGATE.source);

/**
 * True when the text holds no lone surrogate, as String.prototype.isWellFormed (not in this
 * TypeScript library target): text that survives UTF-8 as it is, for names that must be compared
 * or looked up as given rather than repaired.
 */
export function isWellFormed(text: string): boolean {
  return !ANY_LONE_SURROGATE.test(text);
}
