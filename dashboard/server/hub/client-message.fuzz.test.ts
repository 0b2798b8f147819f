// Property-based test of what a browser may send on /ws: every kind of client message, mutated
// (test/event-mutations.ts: wrong types, missing and extra fields, `__proto__`, fields named twice,
// odd Unicode, long strings, deep nesting, truncated text). The parser never throws; it accepts a
// message of the protocol, which reads the same when sent again, or names what is wrong.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
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
        expect(parseClientMessage(JSON.stringify(message))).toEqual(result);
      }),
      fuzzParams(1000),
    );
    expect(accepted).toBeGreaterThan(50);
  });
});
