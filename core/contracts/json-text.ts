// What a JSON text can hold that JSON.parse takes without a word but an event must not: a field
// named twice in one object (duplicate-keys.ts), and a lone UTF-16 surrogate (`"A\ud800B"`), which
// every encoding to UTF-8 on the way (the bus, storage) turns into U+FFFD, so that two different
// ids would become one account. Both refused with the field's JSON pointer.
import { duplicateKeyErrors } from './duplicate-keys.js';
import { pointer, type FieldError } from './validate.js';

/** A surrogate escape in JSON text: only such text can hold a lone surrogate once parsed. */
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The problems of `text` that its parsed `value` no longer shows; none for ordinary input. */
export function jsonTextErrors(text: string, value: unknown): readonly FieldError[] {
  const repeated = duplicateKeyErrors(text, value);
  if (!SURROGATE_ESCAPE.test(text)) return repeated;
  const lone: FieldError[] = [];
  collectLone(value, [], lone);
  if (lone.length === 0) return repeated;
  return repeated.length === 0 ? lone : [...repeated, ...lone];
}

function collectLone(value: unknown, at: string[], errors: FieldError[]): void {
  if (typeof value === 'string') {
    if (LONE_SURROGATE.test(value)) errors.push({ path: pointer(...at), rule: 'unicode', message: 'holds a lone UTF-16 surrogate (a \\uD800–\\uDFFF escape without its pair); send valid Unicode' });
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  if (Array.isArray(value)) {
    value.forEach((item, i) => collectLone(item, [...at, String(i)], errors));
    return;
  }
  for (const [key, item] of Object.entries(value)) {
    if (LONE_SURROGATE.test(key)) errors.push({ path: pointer(...at, key), rule: 'unicode', message: 'the field name holds a lone UTF-16 surrogate; send valid Unicode' });
    else collectLone(item, [...at, key], errors);
  }
}
