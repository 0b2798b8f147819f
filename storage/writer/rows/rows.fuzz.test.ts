// Property-based tests of the writer's row mappers on mutated wire messages (test/event-mutations.ts):
// events of every kind, decisions, alerts and dead letters, as a producer that bypasses the gateway
// could put them on the bus. No mapper throws; every row it makes is one TabSeparated line; and the
// fast event mapper stores every event the contract accepts exactly as the full re-validation does.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { kindToken } from '../../../core/index.js';
import { eventText, fuzzParams, mutatedText, type EventText, type Json } from '../../../test/event-mutations.js';
import { alert, decision } from '../../test-fixtures.js';
import { alertRow } from './alert-row.js';
import { deadLetterRow } from './dead-letter-row.js';
import { decisionRow } from './decision-row.js';
import { eventRow, fastEventRow } from './event-row.js';
import type { RowOutcome, WireMessage } from './row-outcome.js';
import { DECISION_COLUMNS, EVENT_COLUMNS, decisionLine, eventLine } from './tsv.js';

const enc = new TextEncoder();
const wire = (subject: string, text: string, ingestTs: number | null = null): WireMessage => ({ subject, data: enc.encode(text), ingestTs });

const validDecision = fc.constant(null).map(() => decision() as unknown as Json);
const validAlert = fc.constant(null).map(() => alert() as unknown as Json);
const validLetter = fc.constant(null).map(
  (): Json => ({ v: 1, source: 'processors', subject: 't.ev.payment.0', streamSeq: 7, code: 'RS_ERR_BUS_SCHEMA', reason: '/amount must be a string', at: Date.now(), payload: '{"v":1}' }),
);
const ingestTs = fc.option(fc.oneof(fc.integer(), fc.double(), fc.constantFrom(Date.now(), 1e300, -1, 0)), { freq: 2 });

/** A mapper's outcome: a row, or a refusal with a registered code and a reason; never an exception. */
function expectOutcome<R>(outcome: RowOutcome<R>): void {
  if (outcome.ok) {
    expect(outcome.key.length).toBeGreaterThan(0);
    expect(Number.isFinite(outcome.recencyMs)).toBe(true);
  } else {
    expect(['RS_ERR_BUS_JSON', 'RS_ERR_BUS_SCHEMA', 'RS_ERR_BUS_SUBJECT']).toContain(outcome.code);
    expect(outcome.reason.length).toBeGreaterThan(0);
  }
}

/** One TabSeparated line: ended by its line feed, no other line break, no raw tab beyond the column separators. */
function expectOneLine(line: string, columns: number): void {
  expect(line.endsWith('\n')).toBe(true);
  expect(/[\n\r]/.test(line.slice(0, -1))).toBe(false);
  expect(line.split('\t').length).toBe(columns);
}

describe('writer rows fuzz - events', () => {
  it('the fast mapper stores every event the contract accepts exactly as the full re-validation does', () => {
    fc.assert(
      fc.property(eventText, fc.integer({ min: 0, max: 3 }), ingestTs, ({ kind, text }: EventText, partition, ts) => {
        const message = wire(`t.ev.${kindToken(kind)}.${partition}`, text, ts);
        const full = eventRow(message);
        const fast = fastEventRow(message);
        expectOutcome(full);
        expectOutcome(fast);
        if (full.ok) expect(fast).toEqual(full);
        if (fast.ok) expectOneLine(eventLine(fast.row), EVENT_COLUMNS.length);
      }),
      fuzzParams(1000),
    );
  });
});

describe('writer rows fuzz - decisions, alerts and dead letters', () => {
  it('never throws on a mutated decision, and every decision row is one line', () => {
    fc.assert(
      fc.property(mutatedText(validDecision), ({ text }) => {
        const outcome = decisionRow(wire('t.dec.payment', text));
        expectOutcome(outcome);
        if (outcome.ok) expectOneLine(decisionLine(outcome.row), DECISION_COLUMNS.length);
      }),
      fuzzParams(500),
    );
  });

  it('never throws on a mutated alert or dead letter', () => {
    fc.assert(
      fc.property(mutatedText(validAlert), mutatedText(validLetter), (a, d) => {
        expectOutcome(alertRow(wire('t.al.aml', a.text)));
        expectOutcome(deadLetterRow(wire('t.dlq.processors', d.text)));
      }),
      fuzzParams(500),
    );
  });
});
