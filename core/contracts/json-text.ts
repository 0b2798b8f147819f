// What a JSON text can hold that JSON.parse takes without a word but an event must not: a field
// named twice in one object (duplicate-keys.ts), a lone UTF-16 surrogate (`"A\ud800B"`), which
// every encoding to UTF-8 on the way (the bus, storage) turns into U+FFFD, so that two different
// ids would become one account, and nesting deeper than any event (MAX_JSON_DEPTH). Refused with
// the field's JSON pointer.
import { MAX_JSON_DEPTH, depthError, duplicateKeyErrors, jsonShape, keysInText } from './duplicate-keys.js';
import { isWellFormed } from '../text.js';
import { pointer, type FieldError } from './validate.js';

/** A surrogate escape in JSON text: only such text can hold a lone surrogate once parsed. */
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;

/** The problems of `text` that its parsed `value` no longer shows; none for ordinary input. */
export function jsonTextErrors(text: string, value: unknown): readonly FieldError[] {
  const shape = jsonShape(value);
  if (shape.depth > MAX_JSON_DEPTH) return [depthError(shape.depth)];
  const repeated = duplicateKeyErrors(text, value, shape);
  if (!SURROGATE_ESCAPE.test(text)) return repeated;
  const lone: FieldError[] = [];
  collectLone(value, [], lone);
  if (lone.length === 0) return repeated;
  return repeated.length === 0 ? lone : [...repeated, ...lone];
}

/**
 * jsonTextErrors for each event of a JSON array (a batch), by index, with paths inside the event.
 * Ordinary batches cost one scan and one walk; an event that may hold a problem is checked on its
 * own text (found by a scan of the array's top level), so one repeated field in a batch of
 * thousands parses that event again, not the whole body.
 */
export function jsonTextErrorsByItem(text: string, items: readonly unknown[]): Map<number, readonly FieldError[]> {
  const found = new Map<number, readonly FieldError[]>();
  const shapes = items.map(jsonShape);
  const keys = shapes.reduce((n, s) => n + s.keys, 0);
  if (keysInText(text) <= keys && !SURROGATE_ESCAPE.test(text) && shapes.every((s) => s.depth <= MAX_JSON_DEPTH)) return found;
  const spans = topLevelSpans(text);
  if (spans.length !== items.length) throw new Error(`the array's text has ${spans.length} elements, the parsed array ${items.length}`);
  for (let i = 0; i < items.length; i++) {
    const shape = shapes[i]!;
    if (shape.depth > MAX_JSON_DEPTH) {
      found.set(i, [depthError(shape.depth)]);
      continue;
    }
    const slice = text.slice(spans[i]![0], spans[i]![1]);
    if (keysInText(slice) <= shape.keys && !SURROGATE_ESCAPE.test(slice)) continue;
    const errors = jsonTextErrors(slice, items[i]);
    if (errors.length > 0) found.set(i, errors);
  }
  return found;
}

/** Where each element of a JSON array's text starts and ends (the text parsed as an array). */
function topLevelSpans(text: string): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  let depth = 0;
  let inString = false;
  let start = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) {
      inString = true;
      if (depth === 1 && start < 0) start = i;
    } else if (c === 0x5b || c === 0x7b) {
      if (depth === 1 && start < 0) start = i;
      depth++;
    } else if (c === 0x5d || c === 0x7d) {
      if (depth === 1 && start >= 0) spans.push([start, trimEnd(text, i)]);
      depth--;
    } else if (depth === 1 && c === 0x2c) {
      if (start >= 0) spans.push([start, trimEnd(text, i)]);
      start = -1;
    } else if (depth === 1 && start < 0 && c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) {
      start = i; // a number, true, false or null
    }
  }
  return spans;
}

/** The end of an element that stops before `at` (a comma or the closing bracket), without the whitespace before it. */
function trimEnd(text: string, at: number): number {
  let end = at;
  while (end > 0 && /\s/.test(text[end - 1]!)) end--;
  return end;
}

function collectLone(value: unknown, at: string[], errors: FieldError[]): void {
  if (typeof value === 'string') {
    if (!isWellFormed(value)) errors.push({ path: pointer(...at), rule: 'unicode', message: 'holds a lone UTF-16 surrogate (a \\uD800–\\uDFFF escape without its pair); send valid Unicode' });
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  if (Array.isArray(value)) {
    value.forEach((item, i) => collectLone(item, [...at, String(i)], errors));
    return;
  }
  for (const [key, item] of Object.entries(value)) {
    if (!isWellFormed(key)) errors.push({ path: pointer(...at, key), rule: 'unicode', message: 'the field name holds a lone UTF-16 surrogate; send valid Unicode' });
    else collectLone(item, [...at, key], errors);
  }
}
