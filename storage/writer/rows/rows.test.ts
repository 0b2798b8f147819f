// Message-to-row mapping, table-driven: the rows each wire message gives and the refusals.
import { describe, expect, it } from 'vitest';
import type { DeadLetterWire } from '../../../core/index.js';
import { payment } from '../../../test/harness.js';
import { alertRow } from './alert-row.js';
import { deadLetterRow } from './dead-letter-row.js';
import { decisionRow } from './decision-row.js';
import { eventRow, fastEventRow } from './event-row.js';
import { moneyColumns, type WireMessage } from './row-outcome.js';

const enc = new TextEncoder();
const msg = (subject: string, value: unknown, ingestTs: number | null = null): WireMessage => ({
  subject,
  data: enc.encode(typeof value === 'string' ? value : JSON.stringify(value)),
  ingestTs,
});

import { TS, alert, decision } from '../../test-fixtures.js';

describe('event rows', () => {
  it('rows - a payment becomes an events row with exact amounts, parties, device and the raw JSON', () => {
    const body = payment('p-1', { ts: new Date(TS).toISOString(), amount: '1250.5', currency: 'EUR', merchant: { id: 'M-9', mcc: '5411' }, labels: { patterns: ['card_testing'] } });
    const outcome = eventRow(msg('t1.ev.payment.3', body, TS + 1), TS);
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    expect(outcome.key).toBe('p-1');
    expect(outcome.recencyMs).toBe(TS + 1);
    expect(outcome.row).toMatchObject({
      id: 'p-1',
      kind: 'payment',
      ts: `${Math.floor(TS / 1000)}.123`,
      ingest_ts: `${Math.floor(TS / 1000)}.124`,
      partition_key: 'ACC-1',
      customer_id: 'C-1',
      counterparty_account: 'ACC-2',
      type: 'transfer',
      channel: 'mobile',
      debtor_country: 'US',
      creditor_country: 'GB',
      merchant_id: 'M-9',
      mcc: '5411',
      device_id: 'dev-1',
      ip: '203.0.113.7',
      amount: '1250.50',
      amount_minor: 125050,
      currency: 'EUR',
      amount_usd: '1350.54',
      label_patterns: ['card_testing'],
    });
    expect(JSON.parse(outcome.row.raw)).toEqual(body);
  });

  it('rows - a customer event has its country and no money', () => {
    const body = { v: 1, kind: 'customer', id: 'c-1', ts: new Date(TS).toISOString(), customerId: 'C-1', type: 'individual', name: 'Ann Lee', segment: 'vip', riskRating: 'low', pep: false, country: 'DE' };
    const outcome = eventRow(msg('t1.ev.customer.0', body), TS);
    expect(outcome.ok && outcome.row).toMatchObject({ kind: 'customer', partition_key: 'C-1', debtor_country: 'DE', amount: '0.00', amount_minor: 0, currency: '', ingest_ts: null });
  });

  it.each([
    ['not JSON', 't1.ev.payment.0', '{"v":1,', 'RS_ERR_BUS_JSON', /^not valid JSON: /],
    ['a number amount', 't1.ev.payment.0', payment('p-2', { amount: 12.5 }), 'RS_ERR_BUS_SCHEMA', /\/amount/],
    ['no id', 't1.ev.payment.0', { ...payment('x'), id: undefined }, 'RS_ERR_BUS_SCHEMA', /\/id id is required/],
    ['the wrong subject', 't1.ev.customer.0', payment('p-3'), 'RS_ERR_BUS_SUBJECT', /payment arrived on t1\.ev\.customer\.0/],
    ['a field named twice', 't1.ev.payment.0', JSON.stringify(payment('p-7')).replace('"amount":', '"amount":"99999.00","amount":'), 'RS_ERR_BUS_SCHEMA', /^\/amount amount appears more than once/],
  ])('rows - an event with %s is refused with its reason', (_what, subject, body, code, reason) => {
    const outcome = eventRow(msg(subject, body));
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.code).toBe(code);
    expect(outcome.reason).toMatch(reason);
  });
});

describe('money columns', () => {
  it('rows - amount_usd is exact past 2^53 cents, where the conversion as a number rounds', () => {
    // GBP 90,071,992,547,409.91 × 1.27 = USD 114,391,430,535,210.5857: .59, not the .60 a double gave
    expect(moneyColumns(Number.MAX_SAFE_INTEGER, 'GBP')).toEqual({ amount: '90071992547409.91', amount_minor: Number.MAX_SAFE_INTEGER, currency: 'GBP', amount_usd: '114391430535210.59' });
    expect(moneyColumns(1550, 'GBP').amount_usd).toBe('19.69');
    expect(moneyColumns(-1550, 'GBP').amount_usd).toBe('-19.68');
  });
});

describe('decision, alert and dead-letter rows', () => {
  it('rows - a lone UTF-16 surrogate is refused by name, not stored as U+FFFD under another key', () => {
    // stored, "ev\ud800x" became "ev\ufffdx": the dedup lookup never found it, and every redelivery was a new row
    expect(decisionRow(msg('t1.dec.payment', decision({ eventId: 'ev\ud800x' })))).toEqual({ ok: false, code: 'RS_ERR_BUS_SCHEMA', reason: expect.stringMatching(/^\/eventId holds a lone UTF-16 surrogate/) });
    expect(alertRow(msg('t1.al.aml', alert({ id: 'al\udc00' })))).toMatchObject({ ok: false, code: 'RS_ERR_BUS_SCHEMA', reason: expect.stringMatching(/^\/id /) });
    // a pair is a character like any other
    expect(decisionRow(msg('t1.dec.payment', JSON.stringify(decision()).replace('"ev-1"', '"ev-\\ud83d\\ude00"'))).ok).toBe(true);
  });

  it('rows - a decision keeps reasons, models, features, latency and labels', () => {
    const outcome = decisionRow(msg('t1.dec.payment', decision()));
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    expect(outcome.key).toBe('ev-1');
    expect(outcome.recencyMs).toBe(TS + 9);
    expect(outcome.row).toMatchObject({
      event_id: 'ev-1',
      amount: '1250.00',
      amount_minor: 125000,
      amount_usd: '1350.00',
      score: 640,
      action: 'review',
      reason_codes: ['VELOCITY_1H'],
      models: { rules: 'rules-2026.11' },
      features: { amount_usd: 1350, count_1h: 7.5 },
      latency_processing_ms: 1.25,
      latency_total_ms: 7,
      has_labels: true,
      label_patterns: ['ato'],
      label_fraud: true,
      label_aml: null,
      label_scenario_id: 'ato-0001',
    });
    expect(JSON.parse(outcome.row.reasons)).toEqual(decision().reasons);
  });

  it('rows - a decision keeps its channel, payment type and countries', () => {
    const outcome = decisionRow(msg('t1.dec.payment', decision()));
    expect(outcome.ok && outcome.row).toMatchObject({ channel: 'mobile', payment_type: 'transfer', country: 'US', counterparty_country: 'GB' });
    const loan = decisionRow(msg('t1.dec.loan_repayment', decision({ eventKind: 'loan.repayment', channel: '', paymentType: '', country: 'DE', counterpartyCountry: '' })));
    expect(loan.ok && loan.row).toMatchObject({ channel: '', payment_type: '', country: 'DE', counterparty_country: '' });
  });

  it('rows - a decision from a processor that predates channel and country is stored with them empty', () => {
    const older: Record<string, unknown> = { ...decision() };
    for (const key of ['channel', 'paymentType', 'country', 'counterpartyCountry']) delete older[key];
    const outcome = decisionRow(msg('t1.dec.payment', older));
    expect(outcome.ok && outcome.row).toMatchObject({ channel: '', payment_type: '', country: '', counterparty_country: '' });
  });

  it('rows - a decision without an ingest time or labels', () => {
    const outcome = decisionRow(msg('t1.dec.payment', decision({ ingestTs: null, latencyMs: { processing: 0.5, total: null }, labels: undefined })));
    expect(outcome.ok && outcome.row).toMatchObject({ ingest_ts: null, latency_total_ms: null, has_labels: false, label_patterns: [], label_fraud: null, label_scenario_id: '' });
  });

  it('rows - a decision keeps its reasons in other languages', () => {
    const reasons = [{ code: 'FR-CARD-TEST', scorer: 'fraud_rules', points: 500, text: '6 card payments', texts: { 'zh-CN': '6 笔卡支付' } }];
    const outcome = decisionRow(msg('t1.dec.payment', decision({ reasons })));
    expect(outcome.ok && JSON.parse(outcome.row.reasons)).toEqual(reasons);
  });

  it.each([
    ['a score above 1000', { score: 1001 }, '/score'],
    ['a fractional score', { score: 1.5 }, '/score'],
    ['an unknown action', { action: 'maybe' }, '/action'],
    ['a time in seconds', { decidedAt: 1_700_000_000 }, '/decidedAt'],
    ['a reason without a code', { reasons: [{ scorer: 'x', points: 1, text: '' }] }, '/reasons/0/code'],
    ['a translated reason that is not text', { reasons: [{ code: 'R', scorer: 'x', points: 1, text: 'a', texts: { 'zh-CN': 5 } }] }, '/reasons/0/texts/zh-CN'],
    ['a text feature', { features: { a: 'x' } }, '/features/a'],
    ['version 2', { v: 2 }, '/v'],
    ['a numeric channel', { channel: 3 }, '/channel'],
    ['a three-letter country', { country: 'USA' }, '/country'],
    ['a lower-case counterparty country', { counterpartyCountry: 'gb' }, '/counterpartyCountry'],
  ])('rows - a decision with %s is refused naming the field', (_what, overrides, path) => {
    const outcome = decisionRow(msg('t1.dec.payment', decision(overrides)));
    expect(outcome).toMatchObject({ ok: false, code: 'RS_ERR_BUS_SCHEMA' });
    if (!outcome.ok) expect(outcome.reason.startsWith(path)).toBe(true);
  });

  it('rows - an alert becomes an alerts row', () => {
    const outcome = alertRow(msg('t1.alert.aml', alert()));
    expect(outcome.ok && outcome.row).toMatchObject({ id: 'al-1', domain: 'aml', typology: 'structuring', severity: 'high', amount: '9999.50', amount_usd: '9999.50', reason_codes: ['NEAR_THRESHOLD'] });
    expect(alertRow(msg('t1.alert.aml', alert({ severity: 'severe' })))).toMatchObject({ ok: false, code: 'RS_ERR_BUS_SCHEMA' });
  });

  it('rows - a dead letter is keyed by a digest of the message, the same for a re-delivery', () => {
    const letter: DeadLetterWire = { v: 1, source: 'processors', subject: 't1.ev.payment.1', streamSeq: 42, code: 'RS_ERR_BUS_SCHEMA', reason: '/amount must be …', at: TS, payload: '{}' };
    const first = deadLetterRow(msg('t1.dlq.processors', letter));
    const again = deadLetterRow(msg('t1.dlq.processors', letter));
    const other = deadLetterRow(msg('t1.dlq.processors', { ...letter, streamSeq: 43 }));
    expect(first.ok && again.ok && other.ok).toBe(true);
    if (!first.ok || !again.ok || !other.ok) return;
    expect(first.key).toBe(again.key);
    expect(first.key).not.toBe(other.key);
    expect(first.row).toMatchObject({ source: 'processors', stream_seq: 42, code: 'RS_ERR_BUS_SCHEMA' });
    expect(deadLetterRow(msg('t1.dlq.x', { v: 1 }))).toMatchObject({ ok: false, code: 'RS_ERR_BUS_SCHEMA' });
  });

  it('rows - a dead letter holding a lone surrogate (a field name in its reason, a payload cut inside a pair) is stored with U+FFFD in its place, not dropped', () => {
    const letter: DeadLetterWire = { v: 1, source: 'processors', subject: 't1.ev.payment.1', streamSeq: 7, code: 'RS_ERR_BUS_SCHEMA', reason: '/x\udc00 unknown field', at: TS, payload: '{"x\udc00":1} \ud83d' };
    const mapped = deadLetterRow(msg('t1.dlq.processors', letter));
    expect(mapped).toMatchObject({ ok: true, row: { reason: '/x\ufffd unknown field', payload: '{"x\ufffd":1} \ufffd' } });
    // the key is the message's digest, as for any letter: a re-delivery is the same row
    expect(mapped.ok && mapped.key).toBe((deadLetterRow(msg('t1.dlq.processors', letter)) as { key: string }).key);
    // a whole pair is no lone surrogate
    expect(deadLetterRow(msg('t1.dlq.processors', { ...letter, reason: 'ok \ud83d\ude00' }))).toMatchObject({ ok: true, row: { reason: 'ok \ud83d\ude00' } });
  });
});

describe('the writer’s structural event check (fastEventRow)', () => {
  const customer = { v: 1, kind: 'customer', id: 'c-1', ts: new Date(TS).toISOString(), customerId: 'C-1', type: 'individual', name: 'Ann Lee', segment: 'vip', riskRating: 'low', pep: false, country: 'DE' };
  it.each([
    ['a payment with labels', 't1.ev.payment.3', payment('p-1', { ts: new Date(TS).toISOString(), amount: '1250.5', currency: 'EUR', merchant: { id: 'M-9', mcc: '5411' }, labels: { patterns: ['card_testing'], fraud: true } }), TS + 1],
    ['a payment in a three-decimal currency', 't1.ev.payment.0', payment('p-2', { amount: '1234.567', currency: 'BHD', debtor: { accountId: 'ACC-1', customerId: 'C-1', name: 'Zoë "Z" O\'Neil \\ x', country: 'BH' } }), null],
    ['a customer event', 't1.ev.customer.0', customer, null],
    ['a pound amount at the contract\'s limit (its USD cents past 2^53)', 't1.ev.payment.1', payment('p-3', { amount: '90071992547409.91', currency: 'GBP' }), null],
  ])('fast rows - %s gives exactly the row of the full re-validation', (_what, subject, body, ingestTs) => {
    const m = msg(subject, body, ingestTs);
    expect(fastEventRow(m)).toEqual(eventRow(m));
  });

  it.each([
    ['not JSON', 't1.ev.payment.0', '{"v":1,'],
    ['a number amount', 't1.ev.payment.0', payment('p-2', { amount: 12.5 })],
    ['too many decimals', 't1.ev.payment.0', payment('p-2', { amount: '1.001', currency: 'USD' })],
    ['an unknown currency', 't1.ev.payment.0', payment('p-2', { currency: 'XXY' })],
    ['no id', 't1.ev.payment.0', { ...payment('x'), id: undefined }],
    ['the wrong subject', 't1.ev.customer.0', payment('p-3')],
    ['no debtor', 't1.ev.payment.0', { ...payment('p-4'), debtor: undefined }],
    ['a bad time', 't1.ev.payment.0', payment('p-5', { ts: 'yesterday' })],
    ['labels that are not a list', 't1.ev.payment.0', payment('p-6', { labels: { patterns: 'ato' } })],
    ['an array', 't1.ev.payment.0', [1, 2]],
    ['a field named twice', 't1.ev.payment.0', JSON.stringify(payment('p-7')).replace('"amount":', '"amount":"99999.00","amount":')],
    ['an offset without its colon', 't1.ev.payment.0', payment('p-8', { ts: '2026-11-29T10:15:00+0100' })],
    ['a currency without a USD rate', 't1.ev.payment.0', payment('p-9', { amount: '10000000', currency: 'UGX' })],
    // the dedup key: stored, an id the contract refuses was an event no reader finds and the processors never decide
    ['an id with a space', 't1.ev.payment.0', payment(' p-10')],
    ['an id with a control character', 't1.ev.payment.0', payment('p-11\u0000')],
  ])('fast rows - an event with %s is refused with the same code and reason as before', (_what, subject, body) => {
    const m = msg(subject, body, TS + 1);
    const fast = fastEventRow(m);
    expect(fast.ok).toBe(false);
    expect(fast).toEqual(eventRow(m));
  });

  // What the structural check lets through, the contract refuses: fine from riskstream's producers
  // (they validated it), not from another producer, whose events the processors dead-letter.
  it.each([
    ['no creditor and an unknown type', { ...payment('p-20'), creditor: undefined, type: 'bogus' }, /\/creditor|\/type/],
    ['an account id with a tab', payment('p-21', { debtor: { accountId: ' ACC\t1', customerId: 'C-1' } }), /\/debtor\/accountId/],
  ])('fast rows - an event with %s is refused by name when no riskstream producer stamped it (no Rs-Ingest-Ts)', (_what, body, field) => {
    const unstamped = fastEventRow(msg('t1.ev.payment.0', body, null));
    expect(unstamped).toMatchObject({ ok: false, code: 'RS_ERR_BUS_SCHEMA', reason: expect.stringMatching(field) });
    expect(unstamped).toEqual(eventRow(msg('t1.ev.payment.0', body, null)));
    // stamped, the structural check stores it as it did before (the producer vouched for it)
    expect(fastEventRow(msg('t1.ev.payment.0', body, TS + 1)).ok).toBe(true);
  });
});
