import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatMinor, toReportingMinor } from '../../../core/index.js';
import { fuzzParams } from '../../../test/event-mutations.js';
import { AccountWatch, accountAlertFrame, decisionSummary, isRoutableDecision } from './account-watch.js';

const text = (o: Record<string, unknown>) => JSON.stringify(o);

describe('account watch - who watches what', () => {
  it('adds and removes per client, one account or all', () => {
    const watch = new AccountWatch<string>();
    watch.add('c1', 'A');
    watch.add('c1', 'B');
    watch.add('c2', 'A');
    expect(watch.accounts).toBe(2);
    expect(watch.countFor('c1')).toBe(2);
    watch.remove('c1', 'A');
    expect([...watch.watchersOf('A')!]).toEqual(['c2']);
    watch.remove('c2');
    expect(watch.watchersOf('A')).toBeUndefined();
    watch.remove('c1');
    expect(watch.accounts).toBe(0);
    expect(watch.countFor('c1')).toBe(0);
  });
});

describe('account watch - the look at decision text', () => {
  const watch = new AccountWatch<string>();
  watch.add('c', 'ACC-1');
  watch.add('c', 'AC"C');

  it.each([
    ['the account side', text({ eventId: 'e', accountId: 'ACC-1', counterpartyId: 'X' }), true],
    ['the counterparty side', text({ eventId: 'e', accountId: 'X', counterpartyId: 'ACC-1' }), true],
    ['neither', text({ eventId: 'e', accountId: 'X', counterpartyId: 'Y' }), false],
    ['a longer id that starts the same', text({ accountId: 'ACC-10', counterpartyId: 'Y' }), false],
    ['the id in another field only', text({ accountId: 'X', counterpartyId: 'Y', customerId: 'ACC-1' }), false],
    ['an id with an escaped quote', text({ accountId: 'AC"C', counterpartyId: 'Y' }), true],
  ])('%s → %s', (_name, json, hit) => {
    expect(watch.watchedIn(json)).toBe(hit);
  });
});

/** JSON as a producer that escapes every character outside printable ASCII, and `/`, writes it (Python's json.dumps, Java's Jackson with ESCAPE_NON_ASCII). */
function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).replace(/\//g, '\\/');
}

/** An alert's text as the processors publish it, with `accountId` and a few fields that could mislead a look at the text. */
function alertText(accountId: string, extra: Record<string, unknown> = {}, write: (value: unknown) => string = JSON.stringify): string {
  return write({ v: 1, id: `al-${accountId}`, createdAt: 5, domain: 'aml', severity: 'high', accountId, customerId: 'C-1', reasons: [{ code: 'R', text: 'many payments / minute' }], ...extra });
}

describe('account watch - the look at alert text', () => {
  const WATCHED = ['ACC-1', 'AC"C', 'back\\slash', 'Zürich Konto 1', '账户 7', 'emoji 😀', 'sep\u2028line', 'a/b'];
  const watch = new AccountWatch<string>();
  for (const id of WATCHED) watch.add('c', id);

  it.each(WATCHED.flatMap((id) => [
    [`${JSON.stringify(id)} as JSON.stringify writes it`, alertText(id)],
    [`${JSON.stringify(id)} escaped to ASCII`, alertText(id, {}, asciiJson)],
    [`${JSON.stringify(id)} pretty-printed`, alertText(id, {}, (v) => JSON.stringify(v, null, 2))],
    [`${JSON.stringify(id)} as the first key`, JSON.stringify({ accountId: id, v: 1 })],
  ]))('account watch - an alert naming %s may name a watched account', (_name, text) => {
    expect(watch.mayNameWatched(text)).toBe(true);
  });

  it.each([
    ['another account', alertText('ACC-2')],
    ['a longer id that starts the same', alertText('ACC-10')],
    ['an id a watched one ends with', alertText('XACC-1')],
    ['the id as the customer only', alertText('X', { customerId: 'ACC-1' })],
    ['the id in a reason text only', alertText('X', { reasons: [{ code: 'R', text: 'sent to ACC-1 and Zürich Konto 1' }] })],
    ['the id as another key\'s value', alertText('X', { counterpartyId: 'ACC-1' })],
    ['an id without its umlaut', alertText('Zurich Konto 1')],
  ])('account watch - an alert naming %s is skipped', (_name, text) => {
    expect(watch.mayNameWatched(text)).toBe(false);
  });

  it('account watch - nothing watched: every alert is skipped, escaped or not', () => {
    expect(new AccountWatch<string>().mayNameWatched(alertText('AC"C'))).toBe(false);
  });

  it('account watch - never skips an alert naming a watched account, whatever the ids and however the JSON is written', () => {
    const id = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 });
    const writers = [JSON.stringify, asciiJson, (v: unknown) => JSON.stringify(v, null, 1)];
    fc.assert(
      fc.property(fc.uniqueArray(id, { minLength: 1, maxLength: 6 }), fc.nat(), fc.option(id, { nil: undefined }), fc.constantFrom(...writers), (watched, pick, other, write) => {
        const probe = new AccountWatch<string>();
        for (const w of watched) probe.add('c', w);
        const named = other ?? watched[pick % watched.length]!;
        const text = alertText(named, { customerId: watched[0] }, write);
        const routed = probe.watchersOf((JSON.parse(text) as { accountId: string }).accountId) !== undefined;
        // a "no" only where the parsed alert names nobody watched
        if (routed) expect(probe.mayNameWatched(text)).toBe(true);
      }),
      fuzzParams(500),
    );
  });
});

describe('account watch - the summary', () => {
  it('drops features and labels, keeps the rest', () => {
    const decision = { v: 1, eventId: 'e', accountId: 'A', counterpartyId: 'B', decidedAt: 5, score: 10, features: { a: 1 }, labels: { patterns: [] } };
    expect(isRoutableDecision(decision)).toBe(true);
    expect(decisionSummary(decision as never)).toEqual({ v: 1, eventId: 'e', accountId: 'A', counterpartyId: 'B', decidedAt: 5, score: 10 });
  });

  it('writes the amount as decimal text in its currency and in USD at the indicative rates, as storage does', () => {
    const decision = { v: 1, eventId: 'e', accountId: 'A', counterpartyId: 'B', decidedAt: 5, amountMinor: 1550, currency: 'GBP' };
    expect(decisionSummary(decision as never)).toMatchObject({ amount: '15.50', amountUsd: formatMinor(toReportingMinor(1550, 'GBP'), 'USD') });
    expect(decisionSummary({ ...decision, amountMinor: 100050, currency: 'HUF' } as never)).toMatchObject({ amount: '1000.50' });
    expect(decisionSummary({ ...decision, amountMinor: 1234, currency: 'USD' } as never)).toMatchObject({ amount: '12.34', amountUsd: '12.34' });
  });

  it.each([
    ['no accountId', { eventId: 'e', counterpartyId: 'B', decidedAt: 1 }],
    ['a text decidedAt', { eventId: 'e', accountId: 'A', counterpartyId: 'B', decidedAt: '1' }],
    ['null', null],
  ])('refuses %s', (_name, value) => {
    expect(isRoutableDecision(value)).toBe(false);
  });
});

describe('account watch - the alert frame', () => {
  const alert = {
    v: 1, id: 'e1~aml~structuring', eventId: 'e1', eventKind: 'payment', ts: 1, createdAt: 2, domain: 'aml', typology: 'structuring', severity: 'high', score: 800,
    accountId: 'AC"C', customerId: 'C', segment: 'standard', amountMinor: 125_050, currency: 'EUR', reasons: [],
  } as const;

  it('carries the alert as published, its exact amount in front, for the account it names', () => {
    const frame = JSON.parse(accountAlertFrame(alert, JSON.stringify(alert)).toString()) as Record<string, unknown>;
    expect(frame).toEqual({ type: 'account-alert', accountId: 'AC"C', alert: { amount: '1250.50', ...alert } });
  });

  it('passes the published text as it is when the amount has no exact text (an unknown currency)', () => {
    const text = JSON.stringify({ ...alert, currency: 'XXQ', extra: 'kept' });
    expect(accountAlertFrame({ ...alert, currency: 'XXQ' }, text).toString()).toBe(`{"type":"account-alert","accountId":"AC\\"C","alert":${text}}`);
  });
});
