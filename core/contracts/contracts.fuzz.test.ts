// Property-based tests of the contract validators and the money parser: generated valid events of
// every kind, mutated (test/event-mutations.ts). Seeded and bounded, a few seconds in all.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FUZZ_NOW, decimalText, eventText, fuzzParams, oddAmount, oddCurrency, valueAt } from '../../test/event-mutations.js';
import { hasReportingRate } from '../fx.js';
import { currencyInfo, formatMinor, knownCurrencies, parseAmount } from '../money.js';
import { MONEY_FIELDS, isEventKind, jsonTextErrors, validateEvent, type FieldError } from './index.js';

/** The money parser as the contract states it, written apart with bigint: what parseAmount must agree with. */
function referenceAmount(amount: string, currency: string): { ok: true; minor: bigint } | { ok: false; rule: string } {
  const info = currencyInfo(currency);
  if (!info) return { ok: false, rule: 'currency' };
  if (amount.length === 0) return { ok: false, rule: 'format' };
  const [whole, fraction, ...rest] = amount.split('.');
  if (rest.length > 0 || whole === undefined || !/^[0-9]+$/.test(whole) || (whole.length > 1 && whole.startsWith('0'))) return { ok: false, rule: 'format' };
  if (fraction !== undefined && !/^[0-9]+$/.test(fraction)) return { ok: false, rule: 'format' };
  const decimals = fraction ?? '';
  if (decimals.length > info.minorUnits) return { ok: false, rule: 'scale' };
  const minor = BigInt(whole) * 10n ** BigInt(info.minorUnits) + BigInt(decimals.padEnd(info.minorUnits, '0') || '0');
  if (minor > BigInt(Number.MAX_SAFE_INTEGER)) return { ok: false, rule: 'range' };
  return { ok: true, minor };
}

/** The canonical text of an accepted amount: its digits at exactly the currency's decimals. */
function canonical(minor: bigint, currency: string): string {
  return decimalText(minor, currencyInfo(currency)!.minorUnits);
}

/** A refusal's path must lead to the field it names (or, for a missing one, to where it belongs). */
function pathProblem(input: unknown, error: FieldError): string | undefined {
  if (typeof error.rule !== 'string' || error.rule === '') return 'no rule';
  if (typeof error.message !== 'string' || error.message === '') return 'no message';
  if (/undefined|\[object Object\]|NaN/.test(error.message)) return `message "${error.message}" leaks a JavaScript value`;
  if (error.path === '') return ['type', 'depth', 'json'].includes(error.rule) ? undefined : `rule ${error.rule} at the root`;
  if (!error.path.startsWith('/')) return `path "${error.path}" is not a JSON pointer`;
  const parts = error.path.slice(1).split('/').map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (error.rule === 'required') return valueAt(input, parts.slice(0, -1)) === undefined ? `the parent of ${error.path} is not in the event` : undefined;
  return valueAt(input, parts) === undefined ? `${error.path} (rule ${error.rule}) is not in the event` : undefined;
}

const textOf = (amount: unknown) => (typeof amount === 'string' ? amount : JSON.stringify(amount));

describe('contracts - money parser against a bigint reference', () => {
  const currency = fc.oneof(oddCurrency.filter((c): c is string => typeof c === 'string'), fc.constantFrom(...knownCurrencies()));
  const amount = fc.oneof(oddAmount.map(textOf), fc.string({ maxLength: 30 }), fc.stringMatching(/^[0-9.\-+eE ]{0,24}$/));

  it('agrees with the reference on every amount and currency, and formats back to the canonical text', () => {
    fc.assert(
      fc.property(amount, currency, (text, code) => {
        const got = parseAmount(text, code);
        const want = referenceAmount(text, code);
        if (want.ok) {
          expect(got).toEqual({ ok: true, minor: Number(want.minor) });
          expect(formatMinor(Number(want.minor), code)).toBe(canonical(want.minor, code));
        } else {
          expect(got.ok).toBe(false);
          if (!got.ok) expect(got.rule).toBe(want.rule);
        }
      }),
      fuzzParams(2000),
    );
  });

  it('reads every amount of up to 2^53 - 1 minor units exactly, at every scale', () => {
    const scaled = fc.constantFrom('JPY', 'USD', 'BHD', 'CLF');
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: BigInt(Number.MAX_SAFE_INTEGER) + 10n }), scaled, (minor, code) => {
        const text = canonical(minor, code);
        const got = parseAmount(text, code);
        if (minor > BigInt(Number.MAX_SAFE_INTEGER)) expect(got).toMatchObject({ ok: false, rule: 'range' });
        else {
          expect(got).toEqual({ ok: true, minor: Number(minor) });
          expect(formatMinor(Number(minor), code)).toBe(text);
        }
      }),
      fuzzParams(500),
    );
  });
});

describe('contracts - validators on mutated events', () => {
  it('never throw, and every refusal names the field by its JSON pointer, a rule and a message', () => {
    fc.assert(
      fc.property(eventText, ({ text }) => {
        let value: unknown;
        try {
          value = JSON.parse(text);
        } catch {
          return; // broken JSON is the gateway's to refuse (ingest/http.fuzz.test.ts)
        }
        const errors = [...jsonTextErrors(text, value)];
        const result = validateEvent(value, undefined, FUZZ_NOW);
        if (!result.ok) {
          expect(result.errors.length).toBeGreaterThan(0);
          errors.push(...result.errors);
        }
        for (const error of errors) expect(pathProblem(value, error), JSON.stringify(error)).toBeUndefined();
      }),
      fuzzParams(500),
    );
  });

  it('map what they accept to integer minor units that format back to the same amount, and accept their own output again', () => {
    let accepted = 0;
    fc.assert(
      fc.property(eventText, ({ text }) => {
        let value: unknown;
        try {
          value = JSON.parse(text);
        } catch {
          return;
        }
        if (jsonTextErrors(text, value).length > 0) return;
        const result = validateEvent(value, undefined, FUZZ_NOW);
        if (!result.ok) return;
        accepted++;
        const event = result.event;
        const input = value as Record<string, unknown>;
        expect(isEventKind(event.kind)).toBe(true);
        expect(Number.isInteger(event.ts)).toBe(true);
        expect(event.partitionKey).toEqual(expect.any(String));
        expect(event.partitionKey).not.toBe('');
        expect(hasReportingRate(event.currency) || MONEY_FIELDS[event.kind].length === 0).toBe(true);
        for (const field of MONEY_FIELDS[event.kind]) {
          const amount = input[field];
          if (amount === undefined) {
            expect(event.money[field]).toBeUndefined();
            continue;
          }
          const want = referenceAmount(amount as string, event.currency);
          expect(want.ok).toBe(true);
          if (!want.ok) continue;
          expect(event.money[field]).toBe(Number(want.minor));
          expect(Number.isSafeInteger(event.money[field])).toBe(true);
          expect(formatMinor(event.money[field]!, event.currency)).toBe(canonical(want.minor, event.currency));
          expect(BigInt(formatMinor(event.money[field]!, event.currency).replace('.', ''))).toBe(want.minor);
        }
        // what was accepted, sent again as JSON, is accepted as the same event
        const again = validateEvent(JSON.parse(JSON.stringify({ ...event.body, ...(event.labels ? { labels: event.labels } : {}) })), undefined, FUZZ_NOW);
        expect(again.ok).toBe(true);
        if (again.ok) expect(again.event).toEqual(event);
      }),
      fuzzParams(500),
    );
    expect(accepted).toBeGreaterThan(20); // the generator must also make valid events, or the property says nothing
  });
});
