// Generators for property-based (fuzz) tests of every way an event enters riskstream: valid events
// of every kind (the documented examples), and the same events mutated the way a careless or
// hostile producer would: wrong types, fields missing or added (`__proto__` among them), odd
// amounts, currencies, times and ids, arrays where objects belong, deep nesting, fields named
// twice in the text, lone surrogates, truncated text.
import fc from 'fast-check';
import { EVENT_EXAMPLES, EXAMPLES_VALID_AT } from '../core/contracts/examples.js';
import { EVENT_KINDS, MONEY_FIELDS, isEventKind, type EventKind } from '../core/contracts/index.js';

/** The clock the generated events are valid at (the examples' own). */
export const FUZZ_NOW = EXAMPLES_VALID_AT;

/** Seed of every fuzz property: fixed, so that a run is repeatable; FUZZ_SEED to explore others. */
export const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 20261207);

/** fast-check parameters for a property of `numRuns` cases. */
export function fuzzParams(numRuns: number): fc.Parameters<unknown> {
  return { seed: FUZZ_SEED, numRuns, endOnFailure: false };
}

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = readonly string[];

/** A generated event: its JSON text, and what was done to it (printed with a failing case). */
export type EventText = { readonly kind: string; readonly text: string; readonly mutations: readonly string[] };

const ALL_EXAMPLES = EVENT_KINDS.flatMap((kind) => EVENT_EXAMPLES[kind].map((e) => e.event as unknown as Json));

/** Amounts a producer may send: valid, and wrong in each way the contract names. */
export const oddAmount: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom<Json>(
    '1e3', '01.00', '-0', '-1.00', '1.234', '1.5', '0', '0.00', '00', '.5', '5.', '+1', ' 1', '1 ', '1,00', '１２', '0x10', 'Infinity', 'NaN', '',
    '9007199254740991', '9007199254740992', '90071992547409.91', '90071992547409.92', '9'.repeat(16), '9'.repeat(17), '9'.repeat(24), '9'.repeat(25),
    '1.0000000000000000000001', '0.000', '0.001', '10.10', 12.5, 1250, 0, -1, -0, 1e21, null, true, ['1.00'], { value: '1.00' },
  ),
  fc.stringMatching(/^-?[0-9]{1,20}(\.[0-9]{0,5})?$/),
  fc.bigInt({ min: 0n, max: 10n ** 20n }).map((n) => String(n)),
  fc.tuple(fc.bigInt({ min: 0n, max: 10n ** 15n }), fc.integer({ min: 0, max: 4 })).map(([n, scale]) => decimalText(n, scale)),
);

/** Currencies: in use (with 0, 2 and 3 decimals), without a USD rate, withdrawn or unknown, wrongly written. */
export const oddCurrency: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom<Json>('USD', 'EUR', 'JPY', 'BHD', 'KWD', 'CLF', 'XAU', 'XXX', 'ZWD', 'ABC', 'usd', 'Usd', 'US', 'USDD', '', ' USD', 'ＵＳＤ', 840, null),
  fc.stringMatching(/^[A-Z]{3}$/),
);

/** Times at and beyond the contract's edges (2000-01-01, 24 hours ahead), and times that are no RFC 3339. */
export const oddTimestamp: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom<Json>(
    '2000-01-01T00:00:00.000Z', '1999-12-31T23:59:59.999Z', '2026-11-29T10:15:00Z', '2026-11-29T10:15:00+01:00', '2026-11-29T10:15:00+0100',
    '2026-11-29T10:15:00', '2026-11-29', '2026-02-30T00:00:00Z', '2026-11-29T23:59:60Z', '2026-06-30T23:59:60.5+00:00', '2026-11-29t10:15:00z',
    '0000-01-01T00:00:00Z', '9999-12-31T23:59:59.999Z', '+275760-09-13T00:00:00.000Z', '', 'x'.repeat(41), 1764411300000, null,
    new Date(FUZZ_NOW + 24 * 3600_000).toISOString(), new Date(FUZZ_NOW + 24 * 3600_000 + 1).toISOString(),
  ),
  fc.integer({ min: Date.UTC(1990, 0, 1), max: FUZZ_NOW + 3 * 24 * 3600_000 }).map((ms) => new Date(ms).toISOString()),
);

/** Ids and references: at and past the length limit, with spaces, controls, slashes, odd Unicode. */
export const oddId: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom<Json>(
    '', 'a'.repeat(128), 'a'.repeat(129), '-a', 'a b', 'a/b', 'a\u0000', 'é', 'a\n', '.', '0', ' C-1', 'C-1 ', 'C\u00a0', '😀', '\u200b', 'a~1',
    'a\ud800', '\udc00a', 'x'.repeat(127) + 'é', 7, null, ['a'],
  ),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }),
  fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._:@-]{0,140}$/),
);

/** Any JSON value, with odd strings (lone surrogates, controls, long ones) among them. */
export const oddValue: fc.Arbitrary<Json> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>,
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.constantFrom<Json>('x'.repeat(300), 'x'.repeat(20_000), -0, 1e308, -1e-308, 2 ** 53, 0.1, [], {}, [[[]]]),
  oddAmount,
  oddId,
);

/** Field names a producer may add: prototype names, JSON-pointer specials, empty, odd Unicode. */
export const oddKey: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '', 'a/b', '~', '~1', 'amount ', 'Amount', 'kind', 'labels', '\ud800'),
  fc.string({ unit: 'binary', maxLength: 12 }),
);

/** One valid event of any kind, as a JSON value (a fresh copy). */
export const validEvent: fc.Arbitrary<Json> = fc.constantFrom(...ALL_EXAMPLES).map((e) => structuredClone(e));

type Mutation = { readonly name: string; apply(event: Json): Json };

/** Mutations of an event value; each picks where it strikes from the event it is given. */
const valueMutation: fc.Arbitrary<(event: Json) => { event: Json; name: string }> = fc.oneof(
  fc.tuple(fc.nat(), oddValue).map(([at, value]) => (e: Json) => replaceAt(e, at, value, 'replace')),
  fc.nat().map((at) => (e: Json) => removeAt(e, at)),
  fc.tuple(fc.nat(), oddKey, oddValue).map(([at, key, value]) => (e: Json) => addAt(e, at, key, value)),
  fc.tuple(fc.nat(), oddAmount).map(([at, value]) => (e: Json) => setMoney(e, at, value)),
  oddCurrency.map((value) => (e: Json) => setTop(e, 'currency', value)),
  oddTimestamp.map((value) => (e: Json) => setTop(e, 'ts', value)),
  oddId.map((value) => (e: Json) => setTop(e, 'id', value)),
  fc.constantFrom<Json>(...EVENT_KINDS, 'Payment', 'payment ', 'loan', 'unknown', '', 1, null).map((value) => (e: Json) => setTop(e, 'kind', value)),
  fc.constantFrom<Json>(1, 2, '1', 0, null, 1.0000001).map((value) => (e: Json) => setTop(e, 'v', value)),
  fc.tuple(fc.nat(), oddId).map(([at, value]) => (e: Json) => replaceStringAt(e, at, value)),
  fc.nat().map((at) => (e: Json) => wrapInArray(e, at)),
  fc.tuple(fc.nat(), fc.integer({ min: 28, max: 40 })).map(([at, depth]) => (e: Json) => replaceAt(e, at, nested(depth), `nest ${depth}`)),
);

/** Text mutations: a field named twice, a lone surrogate escape, a truncated body. */
const textMutation: fc.Arbitrary<(text: string) => { text: string; name: string }> = fc.oneof(
  fc.tuple(fc.constantFrom('amount', 'id', 'kind', 'currency', 'ts', 'customerId', 'zz'), oddValue).map(([key, value]) => (t: string) => ({
    text: `{${JSON.stringify(key)}:${JSON.stringify(value)},${t.slice(1)}`,
    name: `duplicate ${key}`,
  })),
  fc.nat().map((at) => (t: string) => {
    const quotes = [...t.matchAll(/":"/g)].map((m) => m.index! + 3);
    if (quotes.length === 0) return { text: t, name: 'no string to break' };
    const i = quotes[at % quotes.length]!;
    return { text: `${t.slice(0, i)}\\ud83d${t.slice(i)}`, name: 'lone surrogate' };
  }),
  fc.nat().map((at) => (t: string) => ({ text: t.slice(0, at % t.length), name: 'truncated' })),
);

/** A valid event of any kind with 0 to 3 value mutations and, sometimes, one text mutation. */
export const eventText: fc.Arbitrary<EventText> = mutatedText(validEvent);

/**
 * Values of `base` (any JSON: an event, a decision, an alert) with 0 to 3 value mutations and, in
 * one case of four, one text mutation; `kind` is the mutated value's `kind` field.
 */
export function mutatedText(base: fc.Arbitrary<Json>): fc.Arbitrary<EventText> {
  return fc
    .tuple(base, fc.array(valueMutation, { maxLength: 3 }), fc.oneof({ arbitrary: fc.constant(null), weight: 3 }, { arbitrary: textMutation, weight: 1 }))
    .map(([start, mutations, textMutation]) => {
      let value = start;
      const names: string[] = [];
      for (const mutate of mutations) {
        const done = mutate(value);
        value = done.event;
        names.push(done.name);
      }
      let text = JSON.stringify(value);
      if (textMutation) {
        const done = textMutation(text);
        text = done.text;
        names.push(done.name);
      }
      const kind = typeof value === 'object' && value !== null && !Array.isArray(value) ? String(value.kind) : '?';
      return { kind, text, mutations: names };
    });
}

/** A mutated event that is surely refused: at least one value mutation known to break the contract. */
export const brokenEventText: fc.Arbitrary<EventText> = fc.tuple(eventText, fc.constantFrom<Mutation>(
  { name: 'amount "1e3"', apply: (e) => setMoney(e, 0, '1e3').event },
  { name: 'amount -1.00', apply: (e) => setMoney(e, 0, '-1.00').event },
  { name: 'currency "usd"', apply: (e) => setTop(e, 'currency', 'usd').event },
  { name: 'kind "unknown"', apply: (e) => setTop(e, 'kind', 'unknown').event },
  { name: 'v 2', apply: (e) => setTop(e, 'v', 2).event },
  { name: 'ts missing', apply: (e) => setTop(e, 'ts', undefined).event },
)).map(([base, broken]) => {
  let value: Json;
  try {
    value = JSON.parse(base.text) as Json;
  } catch {
    return base; // already not JSON
  }
  const text = JSON.stringify(broken.apply(value));
  return { kind: base.kind, text, mutations: [...base.mutations, broken.name] };
});

// ---- where a mutation strikes --------------------------------------------------------------------

/** Every path to a value in `value`, the root first. */
export function pathsOf(value: Json, at: Path = []): Path[] {
  const out: Path[] = [at];
  if (Array.isArray(value)) value.forEach((item, i) => out.push(...pathsOf(item, [...at, String(i)])));
  else if (typeof value === 'object' && value !== null) for (const key of Object.keys(value)) out.push(...pathsOf(value[key]!, [...at, key]));
  return out;
}

/** The value at `path`, or undefined when there is none. */
export function valueAt(value: unknown, path: Path): unknown {
  let here = value;
  for (const key of path) {
    if (typeof here !== 'object' || here === null || !Object.prototype.hasOwnProperty.call(here, key)) return undefined;
    here = (here as Record<string, unknown>)[key];
  }
  return here;
}

/** Sets an own property, even one named `__proto__` (as JSON.parse would). */
function setOwn(target: Record<string, Json> | Json[], key: string, value: Json): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function withValueAt(event: Json, path: Path, value: Json | undefined): Json {
  if (path.length === 0) return value === undefined ? {} : value;
  const copy = structuredClone(event);
  const parent = valueAt(copy, path.slice(0, -1)) as Record<string, Json> | Json[];
  const key = path[path.length - 1]!;
  if (value === undefined) {
    if (Array.isArray(parent)) parent.splice(Number(key), 1);
    else delete parent[key];
  } else setOwn(parent, key, value);
  return copy;
}

function replaceAt(event: Json, at: number, value: Json, name: string): { event: Json; name: string } {
  const paths = pathsOf(event).slice(1);
  if (paths.length === 0) return { event, name: 'nothing to replace' };
  const path = paths[at % paths.length]!;
  return { event: withValueAt(event, path, value), name: `${name} /${path.join('/')} = ${short(value)}` };
}

function removeAt(event: Json, at: number): { event: Json; name: string } {
  const paths = pathsOf(event).slice(1);
  if (paths.length === 0) return { event, name: 'nothing to remove' };
  const path = paths[at % paths.length]!;
  return { event: withValueAt(event, path, undefined), name: `remove /${path.join('/')}` };
}

function addAt(event: Json, at: number, key: string, value: Json): { event: Json; name: string } {
  const objects = pathsOf(event).filter((p) => {
    const v = valueAt(event, p);
    return typeof v === 'object' && v !== null && !Array.isArray(v);
  });
  if (objects.length === 0) return { event, name: 'no object to add to' };
  const path = objects[at % objects.length]!;
  return { event: withValueAt(event, [...path, key], value), name: `add /${[...path, key].join('/')} = ${short(value)}` };
}

function setTop(event: Json, key: string, value: Json | undefined): { event: Json; name: string } {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) return { event, name: `no object to set ${key} in` };
  return { event: withValueAt(event, [key], value), name: `${key} = ${short(value)}` };
}

function setMoney(event: Json, at: number, value: Json): { event: Json; name: string } {
  const kind = typeof event === 'object' && event !== null && !Array.isArray(event) ? event.kind : undefined;
  const fields = isEventKind(kind) ? MONEY_FIELDS[kind] : ['amount'];
  if (fields.length === 0) return setTop(event, 'amount', value);
  return setTop(event, fields[at % fields.length]!, value);
}

function replaceStringAt(event: Json, at: number, value: Json): { event: Json; name: string } {
  const paths = pathsOf(event).filter((p) => typeof valueAt(event, p) === 'string');
  if (paths.length === 0) return { event, name: 'no string to replace' };
  const path = paths[at % paths.length]!;
  return { event: withValueAt(event, path, value), name: `ref /${path.join('/')} = ${short(value)}` };
}

function wrapInArray(event: Json, at: number): { event: Json; name: string } {
  const paths = pathsOf(event).slice(1);
  if (paths.length === 0) return { event: [event], name: 'event in an array' };
  const path = paths[at % paths.length]!;
  return { event: withValueAt(event, path, [valueAt(event, path) as Json]), name: `array at /${path.join('/')}` };
}

function nested(depth: number): Json {
  let value: Json = 'deep';
  for (let i = 0; i < depth; i++) value = i % 2 === 0 ? [value] : { a: value };
  return value;
}

/** A non-negative decimal text of `n` minor units at `scale` decimals ("125000", 2 → "1250.00"). */
export function decimalText(n: bigint, scale: number): string {
  if (scale === 0) return String(n);
  const digits = String(n).padStart(scale + 1, '0');
  return `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}

function short(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

// ---- on the bus ----------------------------------------------------------------------------------

/** The ids of the examples the generators start from. */
const EXAMPLE_IDS = [...new Set(ALL_EXAMPLES.map((e) => (e as { id?: string }).id).filter((id): id is string => typeof id === 'string'))];

/**
 * The text with each example's id made unique (`pay-0001` → `pay-0001-<tag>`), so that events on
 * the bus are not taken for copies of one another (the processors decide an id once).
 */
export function withUniqueIds(text: string, tag: string): string {
  let out = text;
  for (const id of EXAMPLE_IDS) out = out.split(JSON.stringify(id)).join(JSON.stringify(`${id}-${tag}`));
  return out;
}

/** A record of a bus message: an event's text, and sometimes one Latin-1 byte in it (not UTF-8). */
export type BusRecord = EventText & {
  /** Puts the byte é (0xE9, as a Latin-1 producer writes it) into a string value of the record, counted from the last; null: none. */
  readonly latin1At: number | null;
};

/**
 * A message as a producer could put it straight onto the events stream: one event, or an envelope
 * of several (one per line, with the Rs-Batch header); on the subject of a kind and partition; with
 * headers a producer may copy or get wrong (Rs-Reply, Rs-Replies, Rs-Batch, Rs-Ingest-Ts).
 */
export type BusMessage = {
  readonly records: readonly BusRecord[];
  readonly envelope: boolean;
  readonly subjectKind: EventKind;
  readonly partition: number;
  readonly headers: ReadonlyArray<readonly [string, string]>;
};

/** A record's bytes on the bus: its text in UTF-8, with its Latin-1 byte if it has one. */
export function recordBytes(record: BusRecord): Buffer {
  const bytes = Buffer.from(record.text);
  if (record.latin1At === null) return bytes;
  const values = [...bytes.toString('latin1').matchAll(/":"/g)].map((m) => m.index! + 3);
  if (values.length === 0) return bytes;
  const at = values[values.length - 1 - (record.latin1At % values.length)]!;
  return Buffer.concat([bytes.subarray(0, at), Buffer.from([0xe9]), bytes.subarray(at)]);
}

/** The payload of a bus message: its event, or its records one per line. */
export function busBytes(message: BusMessage): Buffer {
  return Buffer.concat(message.records.flatMap((r, i) => (i === 0 ? [recordBytes(r)] : [Buffer.from('\n'), recordBytes(r)])));
}

/** The records of a payload as the consumers read them: an envelope's non-empty lines, or the whole payload. */
export function recordsOnBus(message: BusMessage, payload: Buffer): Buffer[] {
  if (!message.envelope) return [payload];
  const records: Buffer[] = [];
  let start = 0;
  for (let end = payload.indexOf(0x0a); ; end = payload.indexOf(0x0a, start)) {
    const stop = end < 0 ? payload.length : end;
    if (stop > start) records.push(payload.subarray(start, stop));
    if (end < 0) return records;
    start = end + 1;
  }
}

/** A valid event of any kind, unchanged. */
export const unchangedEvent: fc.Arbitrary<EventText> = validEvent.map((event) => ({ kind: String((event as { kind: unknown }).kind), text: JSON.stringify(event), mutations: [] }));
/** Mutated events, and a third unchanged (so that many are decided). */
const busEvent: fc.Arbitrary<BusRecord> = fc
  .tuple(fc.oneof({ arbitrary: eventText, weight: 2 }, { arbitrary: unchangedEvent, weight: 1 }), rarely(fc.nat()))
  .map(([event, latin1At]) => ({ ...event, latin1At }));

/** The value in about one case of seven, null otherwise. */
function rarely<T>(arbitrary: fc.Arbitrary<T>): fc.Arbitrary<T | null> {
  return fc.oneof({ arbitrary: fc.constant(null), weight: 6 }, { arbitrary, weight: 1 });
}

const oddIngestTs = fc.constantFrom('abc', '-1', '1e300', '9'.repeat(30), '0', 'NaN', 'Infinity', '1764411300000.5', String(FUZZ_NOW));
const oddReply = fc.constantFrom('a b', 'a\tb', '_INBOX.fuzz', 'x.*', '>', 'x'.repeat(300), '..', 'é');
const oddReplies = fc.constantFrom('0:a b', '0:a\tb', '0:_INBOX.fuzz 1:_INBOX.fuzz2', '-1:x', '99:x', 'abc', '0:', ':x', '0:x.*', '1:é');
const oddBatch = fc.constantFrom('0', '-1', 'abc', '1e3', '999999', '1.5');

/**
 * Bus messages: mostly one event (a third of them envelopes of up to 6), most on the subject of
 * their own kind, some on another kind's (the subject must match), some with odd headers.
 */
export const busMessage: fc.Arbitrary<BusMessage> = fc
  .tuple(
    fc.oneof({ arbitrary: fc.array(busEvent, { minLength: 1, maxLength: 1 }), weight: 2 }, { arbitrary: fc.array(busEvent, { minLength: 1, maxLength: 6 }), weight: 1 }),
    fc.boolean(),
    fc.integer({ min: 0, max: 3 }),
    fc.oneof({ arbitrary: fc.constant(null), weight: 7 }, { arbitrary: fc.constantFrom(...EVENT_KINDS), weight: 1 }),
    fc.record({ ingest: rarely(oddIngestTs), reply: rarely(oddReply), replies: rarely(oddReplies), batch: rarely(oddBatch) }),
  )
  .map(([records, envelope, partition, other, odd]) => {
    const asEnvelope = records.length > 1 || envelope;
    const first = records[0]!.kind;
    const own = (EVENT_KINDS as readonly string[]).includes(first) ? (first as EventKind) : 'payment';
    const headers: Array<[string, string]> = [];
    if (odd.ingest) headers.push(['Rs-Ingest-Ts', odd.ingest]);
    if (asEnvelope) {
      headers.push(['Rs-Batch', odd.batch ?? String(records.length)]);
      if (odd.replies) headers.push(['Rs-Replies', odd.replies]);
    } else if (odd.reply) headers.push(['Rs-Reply', odd.reply]);
    return { records, envelope: asEnvelope, subjectKind: other ?? own, partition, headers };
  });
