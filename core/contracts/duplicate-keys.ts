// JSON objects that name a field twice. JSON.parse keeps the last copy without a word, while a
// gateway, firewall or limit check in front of riskstream may read the first: one event would be
// read two ways (`"amount":"99999.00","amount":"10.00"` checked as 99,999 and decided as 10). Such
// input is refused, naming the field, on every way in (HTTP, the bus, the writer).
import { parse, type ValueNode } from '@humanwhocodes/momoa';
import type { FieldError } from './validate.js';
import { pointer } from './validate.js';

const NO_ERRORS: readonly FieldError[] = Object.freeze([]);

/**
 * How deep an event's JSON may nest. The contracts nest a few levels; text nested deeper is refused
 * (rule `depth`) before anything walks it recursively (a 300,000-deep array overflowed the stack and
 * failed its batch again and again).
 */
export const MAX_JSON_DEPTH = 32;

/** What the checks need of a parsed value: its keys (one per distinct key, as JSON.parse kept them) and how deep it nests. */
export type JsonShape = { readonly keys: number; readonly depth: number };

/** The shape of a parsed value, walked without recursion (any depth). */
export function jsonShape(value: unknown): JsonShape {
  let keys = 0;
  let depth = 0;
  // two stacks side by side (objects and arrays only, with their depth): no allocation per node
  const items: object[] = [];
  const levels: number[] = [];
  if (typeof value === 'object' && value !== null) {
    items.push(value);
    levels.push(1);
  }
  while (items.length > 0) {
    const item = items.pop()!;
    const level = levels.pop()!;
    if (level > depth) depth = level;
    if (Array.isArray(item)) {
      for (const element of item) {
        if (typeof element === 'object' && element !== null) {
          items.push(element);
          levels.push(level + 1);
        }
      }
    } else {
      for (const key in item) {
        keys++;
        const child = (item as Record<string, unknown>)[key];
        if (typeof child === 'object' && child !== null) {
          items.push(child);
          levels.push(level + 1);
        }
      }
    }
  }
  return { keys, depth };
}

/** The refusal of text nested deeper than MAX_JSON_DEPTH. */
export function depthError(depth: number): FieldError {
  return { path: '', rule: 'depth', message: `the JSON nests ${depth} levels deep; an event nests at most ${MAX_JSON_DEPTH}` };
}

/**
 * The fields `text` names twice in one object, as errors with the field's JSON pointer (below
 * `at`); none when every key is unique. `value` is `JSON.parse(text)`: when the text holds no more
 * keys than the parsed value, no key was repeated and the text is not parsed again, so the cost
 * on ordinary input is one scan for colons and one walk of the value. Text nested deeper than
 * MAX_JSON_DEPTH gets the depth error instead.
 */
export function duplicateKeyErrors(text: string, value: unknown, shape: JsonShape = jsonShape(value)): readonly FieldError[] {
  if (shape.depth > MAX_JSON_DEPTH) return [depthError(shape.depth)];
  if (keysInText(text) <= shape.keys) return NO_ERRORS;
  const errors: FieldError[] = [];
  collect(parse(text).body, [], errors);
  return errors.length === 0 ? NO_ERRORS : errors;
}

/**
 * At least the number of keys written in the text: each key is a string closed by a quote that
 * whitespace and a colon follow. Colons inside strings after an escaped quote count too, which
 * only sends such text to the full check.
 */
export function keysInText(text: string): number {
  let count = 0;
  for (let i = text.indexOf(':'); i >= 0; i = text.indexOf(':', i + 1)) {
    let j = i - 1;
    let c = text.charCodeAt(j);
    while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = text.charCodeAt(--j);
    if (c === 0x22) count++;
  }
  return count;
}

function collect(node: ValueNode, at: string[], errors: FieldError[]): void {
  if (node.type === 'Array') {
    node.elements.forEach((element, i) => collect(element.value, [...at, String(i)], errors));
  } else if (node.type === 'Object') {
    const seen = new Set<string>();
    const named = new Set<string>();
    for (const member of node.members) {
      const key = member.name.type === 'String' ? member.name.value : member.name.name;
      if (seen.has(key)) {
        if (!named.has(key)) errors.push({ path: pointer(...at, key), rule: 'duplicate_key', message: `${key} appears more than once in its object; send each field once` });
        named.add(key);
      } else {
        seen.add(key);
        collect(member.value, [...at, key], errors);
      }
    }
  }
}
