// Property-based test of what a browser may send on /ws: every kind of client message, mutated
// (test/event-mutations.ts: wrong types, missing and extra fields, `__proto__`, fields named twice,
// odd Unicode, long strings, deep nesting, truncated text, lone surrogate escapes). The parser never
// throws; it accepts a message of the protocol, whose every string is well-formed Unicode and which
// reads the same when sent again, or names what is wrong.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isWellFormed } from '../../../core/index.js';
import { fuzzParams, mutatedText, type Json } from '../../../test/event-mutations.js';
import { TOPICS } from '../protocol.js';
import { parseClientMessage } from './client-message.js';

const VALID: readonly Json[] = [
  { type: 'ping', id: 'p-1' },
  { type: 'subscribe', topic: 'kpi', since: 1764411300000 },
  { type: 'subscribe', topic: 'alerts', filter: { domain: 'aml', severity: 'high', typology: 'structuring', segment: 'vip' } },
  { type: 'subscribe', topic: 'account', accountId: 'ACC-1' },
  { type: 'subscribe', topic: 'health' },
  { type: 'unsubscribe', topic: 'account', accountId: 'ACC-1' },
  { type: 'unsubscribe', topic: 'alerts' },
];

describe('hub client messages fuzz', () => {
  it('never throws: accepts a protocol message that reads the same when sent again, or names what is wrong', () => {
    let accepted = 0;
    fc.assert(
      fc.property(mutatedText(fc.constantFrom(...VALID).map((m) => structuredClone(m))), ({ text }) => {
        const result = parseClientMessage(text);
        if (!result.ok) {
          expect(result.message.length).toBeGreaterThan(0);
          expect(result.message).not.toMatch(/undefined|\[object Object\]/);
          return;
        }
        accepted++;
        const message = result.message;
        expect(['ping', 'subscribe', 'unsubscribe']).toContain(message.type);
        if (message.type !== 'ping') expect(TOPICS).toContain(message.topic);
        for (const value of strings(message)) expect(isWellFormed(value), JSON.stringify(value)).toBe(true);
        expect(parseClientMessage(JSON.stringify(message))).toEqual(result);
      }),
      fuzzParams(1000),
    );
    expect(accepted).toBeGreaterThan(50);
  });

  it('refuses an account id holding a lone surrogate wherever it stands, by name', () => {
    // Any UTF-16 code unit, so that halves of pairs come alone, in pairs and out of order.
    const unit = fc.integer({ min: 0x20, max: 0xffff }).map((code) => String.fromCharCode(code));
    const accountId = fc.array(unit, { minLength: 1, maxLength: 20 }).map((units) => units.join(''));
    fc.assert(
      fc.property(accountId, fc.constantFrom('subscribe', 'unsubscribe'), (id, type) => {
        const result = parseClientMessage(JSON.stringify({ type, topic: 'account', accountId: id }));
        if (!isWellFormed(id)) expect(result).toEqual({ ok: false, message: expect.stringMatching(/accountId .*lone UTF-16 surrogate/) });
        else if (result.ok) expect(result.message).toMatchObject({ accountId: id });
      }),
      fuzzParams(1000),
    );
  });
});

/** Every string value in a message, nested ones too. */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (typeof value !== 'object' || value === null) return [];
  return Object.values(value).flatMap(strings);
}
