import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { validateEvent } from '../../core/contracts/index.js';
import { currencyInfo } from '../../core/money.js';
import { sourcePath } from '../../core/paths.js';
// Plain JavaScript shared with k6; vitest loads it as it is (no types to check).
import { buildPayment, formatAmount } from './payment.js';

const SCRIPT = readFileSync(sourcePath('loadtest', 'k6', 'ingest-payments.js'), 'utf8');
const TS = Date.parse('2026-11-29T10:00:00.000Z');

describe('k6 ingest-payments - the script', () => {
  it.each(['BASE_URL', 'API_KEY', 'RATE', 'DURATION', 'VUS', 'MAX_VUS', 'WAIT_DECISION'])('reads %s from __ENV', (name) => {
    expect(SCRIPT).toMatch(new RegExp(`__ENV\\.${name}\\b|positiveInt\\('${name}'`));
  });

  it('follows k6 conventions: options, a default function, a constant-arrival-rate scenario', () => {
    expect(SCRIPT).toMatch(/^export const options = \{/m);
    expect(SCRIPT).toMatch(/^export default function /m);
    expect(SCRIPT).toContain("executor: 'constant-arrival-rate'");
    expect(SCRIPT).toContain("from 'k6/http'");
    expect(SCRIPT).toContain("'x-api-key': API_KEY");
    expect(SCRIPT).toContain("'/v1/events'");
    expect(SCRIPT).toContain("'status is 202': (r) => r.status === 202");
  });

  it('defines thresholds on latency, failures and the decision trend', () => {
    expect(SCRIPT).toMatch(/'http_req_duration\{scenario:ingest\}': \['p\(95\)<' \+ P95_MS, 'p\(99\)<' \+ P99_MS\]/);
    expect(SCRIPT).toContain("http_req_failed: ['rate<0.01']");
    expect(SCRIPT).toContain("new Trend('decision_latency', true)");
    expect(SCRIPT).toContain("'/v1/events?wait=decision");
    expect(SCRIPT).toMatch(/thresholds\.decision_latency = /);
  });

  it('makes ids unique per VU and iteration under one run prefix', () => {
    expect(SCRIPT).toContain("data.runId + '-' + __VU + '-' + __ITER");
    expect(SCRIPT).toContain("data.runId + '-w-' + __VU + '-' + __ITER");
  });
});

describe('k6 ingest-payments - the payments it sends', () => {
  const events = Array.from({ length: 3000 }, (_, i) => buildPayment({ id: `k6-test-${1 + (i % 7)}-${i}`, ts: TS }) as Record<string, unknown>);

  it('builds only valid payment events', () => {
    for (const event of events) {
      const result = validateEvent(event, undefined, TS);
      expect(result.ok ? 'valid' : { id: event.id, errors: result.errors }).toBe('valid');
    }
  });

  it('is the same payment for the same id, and varies across ids', () => {
    expect(buildPayment({ id: 'same', ts: TS })).toEqual(buildPayment({ id: 'same', ts: TS }));
    const distinct = (pick: (e: Record<string, unknown>) => unknown) => new Set(events.map((e) => JSON.stringify(pick(e)))).size;
    expect(distinct((e) => e.type)).toBe(8);
    expect(distinct((e) => e.channel)).toBeGreaterThanOrEqual(7);
    expect(distinct((e) => e.currency)).toBeGreaterThanOrEqual(8);
    expect(distinct((e) => (e.debtor as { country: string }).country)).toBeGreaterThanOrEqual(8);
    expect(distinct((e) => (e.debtor as { accountId: string }).accountId)).toBeGreaterThan(1000);
    expect(distinct((e) => e.amount)).toBeGreaterThan(2000);
  });

  it('keeps an account in one country and currency', () => {
    const homes = new Map<string, string>();
    for (const event of events) {
      const debtor = event.debtor as { accountId: string; country: string };
      const home = `${debtor.country}/${String(event.currency)}`;
      expect(homes.get(debtor.accountId) ?? home).toBe(home);
      homes.set(debtor.accountId, home);
    }
  });

  it.each([
    [12.5, { decimals: 2, perUsd: 1 }, '12.50'],
    [12.5, { decimals: 0, perUsd: 150 }, '1875'],
    [12.5, { decimals: 3, perUsd: 0.31 }, '3.875'],
    [0.0001, { decimals: 2, perUsd: 1 }, '0.01'],
  ])('formats %s USD as a decimal string with the currency\'s decimals', (usd, home, expected) => {
    expect(formatAmount(usd, home)).toBe(expected);
  });

  it('writes every amount with exactly its currency\'s decimals', () => {
    for (const event of events) {
      const decimals = currencyInfo(String(event.currency))!.minorUnits;
      const fraction = String(event.amount).split('.')[1] ?? '';
      expect(fraction.length, `${String(event.amount)} ${String(event.currency)}`).toBe(decimals);
    }
  });
});
