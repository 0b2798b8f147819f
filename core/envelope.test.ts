// Envelopes on the wire: newline-delimited records and the Rs-Batch header that marks them.
import { headers } from '@nats-io/nats-core';
import { describe, expect, it } from 'vitest';
import { HEADER_BATCH, declaredRecords, encodeEnvelope, envelopeByteLimit, envelopeFit, isEnvelope, splitEnvelope, splitEnvelopeText } from './envelope.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Payload text → the records an envelope of it holds. The byte and text splitters must agree on each. */
const SPLITS: ReadonlyArray<readonly [string, string, readonly string[]]> = [
  ['an empty payload', '', []],
  ['only a newline', '\n', []],
  ['only blank lines', '\n\n\n', []],
  ['a single record', '{"id":"a"}', ['{"id":"a"}']],
  ['a single record with a trailing newline', '{"id":"a"}\n', ['{"id":"a"}']],
  ['two records', '{"id":"a"}\n{"id":"b"}', ['{"id":"a"}', '{"id":"b"}']],
  ['two records with a trailing newline', '{"id":"a"}\n{"id":"b"}\n', ['{"id":"a"}', '{"id":"b"}']],
  ['a leading newline', '\n{"id":"a"}', ['{"id":"a"}']],
  ['blank lines between and around', '\n\n{"id":"a"}\n\n\n{"id":"b"}\n\n', ['{"id":"a"}', '{"id":"b"}']],
  ['a record that is not JSON (splitting does not parse)', '{"id":"a"\nnot json', ['{"id":"a"', 'not json']],
  ['multi-byte characters next to the newlines', '{"n":"Zoë"}\n{"n":"Øster"}\n{"n":"東京"}', ['{"n":"Zoë"}', '{"n":"Øster"}', '{"n":"東京"}']],
  ['spaces are kept: a blank-looking line is a record', '{"id":"a"}\n \n{"id":"b"}', ['{"id":"a"}', ' ', '{"id":"b"}']],
];

describe('envelope - splitEnvelope', () => {
  it.each(SPLITS)('%s', (_name, text, expected) => {
    expect(splitEnvelope(encoder.encode(text)).map((r) => decoder.decode(r))).toEqual(expected);
  });

  it('returns views of the payload, not copies', () => {
    const data = encoder.encode('{"id":"a"}\n\n{"id":"bb"}\n');
    const records = splitEnvelope(data);
    expect(records).toHaveLength(2);
    expect(records.every((r) => r.buffer === data.buffer)).toBe(true);
    expect(records.map((r) => [r.byteOffset, r.byteLength])).toEqual([
      [0, 10],
      [12, 11],
    ]);
    // A write to the payload shows through the view: they share the bytes.
    data[12 + 7] = 'X'.charCodeAt(0);
    expect(decoder.decode(records[1])).toBe('{"id":"Xb"}');
  });

  it('keeps the views right for a payload that is itself a view into a larger buffer', () => {
    const whole = encoder.encode('HEADER{"id":"a"}\n{"id":"b"}TRAILER');
    const payload = whole.subarray(6, whole.length - 7);
    expect(splitEnvelope(payload).map((r) => decoder.decode(r))).toEqual(['{"id":"a"}', '{"id":"b"}']);
  });
});

describe('envelope - splitEnvelopeText', () => {
  it.each(SPLITS)('%s', (_name, text, expected) => {
    expect(splitEnvelopeText(text)).toEqual(expected);
  });
});

describe('envelope - declaredRecords and isEnvelope', () => {
  // The header's value (undefined: no header at all) → records declared, and whether it is an envelope.
  it.each([
    ['no headers', null, 1, false],
    ['headers without Rs-Batch', undefined, 1, false],
    ['an empty value', '', 1, false],
    ['1', '1', 1, true],
    ['5', '5', 5, true],
    ['256', '256', 256, true],
    ['zero', '0', 1, true],
    ['negative', '-3', 1, true],
    ['a fraction', '2.5', 1, true],
    ['garbage', 'many', 1, true],
    ['not a number', 'NaN', 1, true],
    ['infinite', 'Infinity', 1, true],
  ] as const)('%s → %s record(s)', (_name, value, records, envelope) => {
    let h: ReturnType<typeof headers> | undefined;
    if (value !== null) {
      h = headers();
      h.set('Rs-Ingest-Ts', '1');
      if (value !== undefined) h.set(HEADER_BATCH, value);
    }
    expect(declaredRecords(h)).toBe(records);
    expect(isEnvelope(h)).toBe(envelope);
  });
});

describe('envelope - encodeEnvelope', () => {
  it.each([
    ['no records', []],
    ['one record', [JSON.stringify({ id: 'a', amount: '1.00' })]],
    ['several records', Array.from({ length: 7 }, (_, i) => JSON.stringify({ id: `r-${i}`, note: 'line\nbreak inside a string' }))],
    ['multi-byte records', [JSON.stringify({ name: 'Zoë' }), JSON.stringify({ city: '東京' })]],
  ] as const)('round-trips %s through both splitters', (_name, records) => {
    const text = encodeEnvelope(records);
    expect(text.split('\n')).toHaveLength(Math.max(records.length, 1));
    expect(splitEnvelopeText(text)).toEqual(records);
    expect(splitEnvelope(encoder.encode(text)).map((r) => decoder.decode(r))).toEqual(records);
    expect(splitEnvelope(encoder.encode(text)).map((r) => JSON.parse(decoder.decode(r)))).toEqual(records.map((r) => JSON.parse(r)));
  });

  it('puts one record per line, with no trailing newline', () => {
    expect(encodeEnvelope(['{"a":1}', '{"b":2}'])).toBe('{"a":1}\n{"b":2}');
  });
});

describe('envelope - envelopeFit', () => {
  const fit = (texts: readonly string[], maxRecords: number, maxBytes: number) => envelopeFit(texts.length, (i) => texts[i]!, maxRecords, maxBytes);
  const x = (n: number) => 'x'.repeat(n);

  it('takes up to maxRecords when they fit', () => {
    expect(fit([x(10), x(10), x(10), x(10)], 3, 1000)).toBe(3);
    expect(fit([x(10), x(10)], 3, 1000)).toBe(2);
  });

  it('stops before the record that would take the payload past maxBytes, counting the newlines between records', () => {
    const texts = [x(400), x(400), x(400)];
    expect(fit(texts, 10, 801)).toBe(2);
    expect(fit(texts, 10, 800)).toBe(1);
    expect(fit(texts, 10, 1202)).toBe(3);
    // what it says fits, encoded, is within the limit
    expect(Buffer.byteLength(encodeEnvelope(texts.slice(0, fit(texts, 10, 1201))))).toBeLessThanOrEqual(1201);
  });

  it('counts UTF-8 bytes, not characters', () => {
    const texts = ['東'.repeat(100), '東'.repeat(100), '東'.repeat(100)];
    expect(fit(texts, 10, 601)).toBe(2);
    expect(fit(texts, 10, 600)).toBe(1);
    expect(fit(['é'.repeat(300), 'é'.repeat(300)], 10, 1201)).toBe(2);
  });

  it('always takes one record, even one larger than maxBytes, so that it cannot hold up the rest', () => {
    expect(fit([x(2000), x(10)], 10, 100)).toBe(1);
  });

  it('takes nothing from nothing', () => {
    expect(fit([], 10, 100)).toBe(0);
  });

  it("keeps room for the headers under the server's max_payload (NATS's default when the server did not say)", () => {
    expect(envelopeByteLimit(1024 * 1024)).toBe(1024 * 1024 - 16 * 1024);
    expect(envelopeByteLimit(undefined)).toBe(envelopeByteLimit(1024 * 1024));
  });
});
