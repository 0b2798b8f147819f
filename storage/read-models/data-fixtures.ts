// Test data for the data-API read models (imported by tests only, here and by the dashboard API
// tests): an account with payments out and in, its KYC profile, decisions and alerts; a small
// payment network; credit decisions; dead letters. Times are relative to NOW, and some rows lie
// outside the default 7-day window on purpose. Rows go through the writer's row mappers, so they
// are stored exactly as the writer would store them.
import { EVENT_EXAMPLES } from '../../core/contracts/examples.js';
import { kindToken, type AlertWire, type DecisionWire, type DeadLetterWire } from '../../core/index.js';
import { qualified, type SqlClient } from '../sql.js';
import { TS, alert, decision } from '../test-fixtures.js';
import { alertRow } from '../writer/rows/alert-row.js';
import { deadLetterRow } from '../writer/rows/dead-letter-row.js';
import { decisionRow } from '../writer/rows/decision-row.js';
import { eventRow } from '../writer/rows/event-row.js';
import type { RowOutcome, WireMessage } from '../writer/rows/row-outcome.js';

/** The clock of the read models under test: a little after TS, itself within the last two hours. */
export const NOW = TS + 20 * 60_000;
export const MINUTE_MS = 60_000;
export const DAY_MS = 86_400_000;
export const at = (minutesAgo: number): number => NOW - minutesAgo * MINUTE_MS;

type Party = { accountId: string; customerId?: string; name?: string; bank?: string; country?: string };

export function paymentEvent(id: string, ts: number, debtor: Party, creditor: Party, amount: string, currency = 'USD'): Record<string, unknown> {
  return {
    ...structuredClone(EVENT_EXAMPLES.payment[0]!.event),
    id,
    ts: new Date(ts).toISOString(),
    amount,
    currency,
    debtor,
    creditor,
    device: { id: 'dev-7f3a9', ip: '203.0.113.7' },
  };
}

export function customerEvent(id: string, ts: number, overrides: Record<string, unknown>): Record<string, unknown> {
  return { ...structuredClone(EVENT_EXAMPLES.customer[0]!.event), id, ts: new Date(ts).toISOString(), ...overrides };
}

// --- the account T-1 ---------------------------------------------------------------------------

export const ANN: Party = { accountId: 'T-1', customerId: 'C-T1', name: 'Ann Lee', bank: 'BANKUS33', country: 'US' };
export const CARL: Party = { accountId: 'T-2', customerId: 'C-T2', name: 'Carl Diaz', bank: 'BANKGB2L', country: 'GB' };
export const BOB: Party = { accountId: 'T-3', customerId: 'C-T3', name: 'Bob Stone', bank: 'BANKDEFF', country: 'DE' };

/** Newest first, as the timeline lists them; t-out-3 and t-out-4 share one millisecond. */
export const ACCOUNT_EVENTS = [
  paymentEvent('t-self', at(5), ANN, ANN, '5.00'),
  paymentEvent('t-out-5', at(10), ANN, CARL, '1500', 'JPY'),
  paymentEvent('t-out-4', at(20), ANN, CARL, '10.00'),
  paymentEvent('t-out-3', at(20), ANN, CARL, '10.00'),
  paymentEvent('t-in-1', at(30), BOB, ANN, '1000.00'),
  paymentEvent('t-out-2', at(40), ANN, CARL, '250.50', 'EUR'),
  paymentEvent('t-out-1', at(50), ANN, CARL, '100.00'),
];
export const TIMELINE_IDS = ACCOUNT_EVENTS.map((e) => e.id as string);

// --- cash at the counter on the account T-9 (its own account on both sides) ---------------------

export const DORA: Party = { accountId: 'T-9', customerId: 'C-T9', name: 'Dora Vale', bank: 'BANKUS33', country: 'US' };
export const CASH_EVENTS = [
  { ...paymentEvent('t-cash-w', at(6), DORA, DORA, '50.00'), type: 'cash_withdrawal', channel: 'branch' },
  { ...paymentEvent('t-cash-d', at(7), DORA, DORA, '100.00'), type: 'cash_deposit', channel: 'branch' },
];

// --- the account T-L, whose payments name no customer: its decisions name C-T1 (3 h ago, before --
// --- the hour the KPI tests read) ---------------------------------------------------------------

export const LINKED: Party = { accountId: 'T-L', name: 'Ann Lee', country: 'US' };
export const LINKED_EVENT = paymentEvent('t-linked', at(180), LINKED, CARL, '20.00');

/** Outside the default window. */
export const OLD_EVENT = paymentEvent('t-old', NOW - 10 * DAY_MS, ANN, CARL, '999.00');

export const PROFILES = [
  customerEvent('cust-C-T1-v1', NOW - 20 * DAY_MS, { customerId: 'C-T1', name: 'Ann Old', segment: 'standard', riskRating: 'low', pep: false, accounts: ['T-1'] }),
  customerEvent('cust-C-T1-v2', NOW - 2 * DAY_MS, {
    customerId: 'C-T1',
    name: 'Ann Lee',
    segment: 'vip',
    riskRating: 'medium',
    pep: true,
    country: 'US',
    dateOfBirth: '1985-04-12',
    accounts: ['T-1'],
  }),
];

const accountDecision = (eventId: string, eventTs: number, accountId: string, action: string, score: number, extra: Record<string, unknown> = {}): DecisionWire =>
  decision({ eventId, eventTs, ingestTs: eventTs + 1, decidedAt: eventTs + 5, accountId, customerId: 'C-T1', counterpartyId: 'T-2', action, score, amountMinor: 10_000, currency: 'USD', labels: undefined, ...extra });

export const ACCOUNT_DECISIONS: DecisionWire[] = [
  accountDecision('t-out-1', at(50), 'T-1', 'allow', 100),
  accountDecision('t-out-2', at(40), 'T-1', 'block', 950, { amountMinor: 25_050, currency: 'EUR' }),
  accountDecision('t-in-1', at(30), 'T-3', 'review', 600, { customerId: 'C-T3', counterpartyId: 'T-1', amountMinor: 100_000 }),
  accountDecision('t-old', NOW - 10 * DAY_MS, 'T-1', 'block', 990),
  accountDecision('t-linked', at(180), 'T-L', 'allow', 50),
];

export const ACCOUNT_ALERTS: AlertWire[] = [
  alert({ id: 'al-t-1', eventId: 't-out-2', ts: at(40), createdAt: at(40) + 9, domain: 'fraud', typology: 'account_takeover', severity: 'critical', accountId: 'T-1', customerId: 'C-T1', amountMinor: 25_050, currency: 'EUR' }),
  alert({ id: 'al-t-2', eventId: 't-out-2', ts: at(40), createdAt: at(40) + 10, domain: 'aml', typology: 'structuring', severity: 'high', accountId: 'T-1', customerId: 'C-T1', amountMinor: 25_050, currency: 'EUR' }),
  // A credit early-warning alert on a payment (the payer's, T-3): what a credit officer may open.
  alert({ id: 'al-t-ew', eventId: 't-in-1', ts: at(30), createdAt: at(30) + 7, domain: 'credit', typology: 'early_warning', severity: 'medium', accountId: 'T-3', customerId: 'C-T3', amountMinor: 100_000 }),
  alert({ id: 'al-old', eventId: 't-old', ts: NOW - 10 * DAY_MS, createdAt: NOW - 10 * DAY_MS + 5, domain: 'aml', typology: 'structuring', severity: 'high', accountId: 'T-1', customerId: 'C-T1' }),
  // An event sent in late: dated 10 days back, its alert raised a few minutes ago (the feed lists it).
  alert({ id: 'al-late', eventId: 't-old', ts: NOW - 10 * DAY_MS, createdAt: at(3), domain: 'fraud', typology: 'account_draining', severity: 'high', accountId: 'T-1', customerId: 'C-T1' }),
];

// --- the network around N-A --------------------------------------------------------------------

const node = (id: string, name: string, country: string): Party => ({ accountId: id, customerId: `C-${id}`, name, country });
export const NET = {
  A: node('N-A', 'Alice Able', 'US'),
  B: node('N-B', 'Bert Brown', 'GB'),
  C: node('N-C', 'Cora Chen', 'SG'),
  D: node('N-D', 'Dan Dale', 'DE'),
  E: node('N-E', 'Eve Egan', 'IE'),
  F: node('N-F', 'Fay Fox', 'FR'),
  OLD: node('N-OLD', 'Otto Old', 'NL'),
};

/**
 * A → B twice, A → C, D → A, C → B, B → E, E → F; and A → OLD ten days ago. From A: hop 1 holds
 * B, C, D; hop 2 adds E; hop 3 adds F.
 */
export const NETWORK_EVENTS = [
  paymentEvent('n-1', at(60), NET.A, NET.B, '100.00'),
  paymentEvent('n-2', at(55), NET.A, NET.B, '50.25'),
  paymentEvent('n-3', at(50), NET.A, NET.C, '20.00'),
  paymentEvent('n-4', at(45), NET.D, NET.A, '30.00'),
  paymentEvent('n-5', at(41), NET.B, NET.E, '10.00'),
  paymentEvent('n-6', at(35), NET.E, NET.F, '5.00'),
  paymentEvent('n-7', at(30), NET.C, NET.B, '7.00'),
  paymentEvent('n-old', NOW - 10 * DAY_MS, NET.A, NET.OLD, '1.00'),
];

export const NETWORK_ALERTS: AlertWire[] = [
  alert({ id: 'al-n-1', eventId: 'n-5', ts: at(41), createdAt: at(41) + 3, accountId: 'N-B', customerId: 'C-N-B', domain: 'aml', typology: 'pass_through' }),
  alert({ id: 'al-n-2', eventId: 'n-7', ts: at(30), createdAt: at(30) + 3, accountId: 'N-B', customerId: 'C-N-B', domain: 'aml', typology: 'fan_in' }),
];

// --- credit decisions, in the last three minutes ------------------------------------------------

const credit = (eventId: string, eventKind: string, minutesAgo: number, action: string, amountMinor: number): DecisionWire =>
  decision({
    eventId,
    eventKind,
    eventTs: at(minutesAgo),
    ingestTs: at(minutesAgo) + 1,
    decidedAt: at(minutesAgo) + 4,
    accountId: 'C-L1',
    customerId: 'C-L1',
    counterpartyId: '',
    channel: '',
    paymentType: '',
    country: 'US',
    counterpartyCountry: '',
    action,
    score: action === 'block' ? 900 : 200,
    amountMinor,
    currency: 'USD',
    latencyMs: { processing: 1, total: 6 },
    labels: undefined,
  });

export const CREDIT_DECISIONS: DecisionWire[] = [
  credit('la-1', 'loan.application', 3, 'allow', 1_000_000),
  credit('la-2', 'loan.application', 3, 'block', 2_500_050),
  credit('lr-1', 'loan.repayment', 2, 'allow', 31_820),
];

// --- dead letters ---------------------------------------------------------------------------------

const deadLetter = (minutesAgo: number, code: string, payload: string, streamSeq: number | null): DeadLetterWire => ({
  v: 1,
  source: 'processor',
  subject: `t.ev.payment.${streamSeq ?? 0}`,
  streamSeq,
  code,
  reason: `${code} at /amount`,
  at: at(minutesAgo),
  payload,
});

export const DEAD_LETTERS: DeadLetterWire[] = [
  deadLetter(1, 'RS_ERR_BUS_SCHEMA', '{"amount":' + '9'.repeat(5000) + '}', 41),
  deadLetter(2, 'RS_ERR_BUS_JSON', 'not json', null),
  deadLetter(8 * 24 * 60, 'RS_ERR_BUS_JSON', 'too old', 7),
];

// --- storing ----------------------------------------------------------------------------------------

async function store<R>(client: SqlClient, database: string, table: string, map: (m: WireMessage) => RowOutcome<R>, values: readonly unknown[], subject: (v: unknown) => string): Promise<void> {
  const rows = values.map((value) => {
    const outcome = map({ subject: subject(value), data: new TextEncoder().encode(JSON.stringify(value)), ingestTs: null });
    if (!outcome.ok) throw new Error(`fixture refused: ${outcome.reason}`);
    return outcome.row;
  });
  await client.insert({ table: qualified(database, table), values: rows as unknown[], format: 'JSONEachRow' });
}

const eventSubject = (v: unknown): string => `t.ev.${kindToken(String((v as { kind: string }).kind))}.0`;
const anySubject = (): string => 't.decisions.0';

/**
 * A payment from `debtor` to T-2 with its decision, and an alert on it when `alertId` is given: one
 * account's activity for the tests that store some of it while a read runs.
 */
export function accountActivity(id: string, ts: number, debtor: string, action: string, alertId?: string): { event: Record<string, unknown>; decision: DecisionWire; alerts: AlertWire[] } {
  return {
    event: paymentEvent(id, ts, { accountId: debtor, customerId: `C-${debtor}` }, CARL, '10.00'),
    decision: accountDecision(id, ts, debtor, action, action === 'block' ? 950 : 100, { customerId: `C-${debtor}`, amountMinor: 1_000 }),
    alerts: alertId === undefined ? [] : [alert({ id: alertId, eventId: id, ts, createdAt: ts + 9, accountId: debtor, customerId: `C-${debtor}`, amountMinor: 1_000 })],
  };
}

/** Stores activity made by accountActivity, or parts of it: events, then decisions, then alerts (as the writer's tables fill). */
export async function storeActivity(client: SqlClient, database: string, activity: ReadonlyArray<Partial<ReturnType<typeof accountActivity>>>): Promise<void> {
  const events = activity.flatMap((a) => (a.event === undefined ? [] : [a.event]));
  const decisions = activity.flatMap((a) => (a.decision === undefined ? [] : [a.decision]));
  const alerts = activity.flatMap((a) => a.alerts ?? []);
  if (events.length > 0) await store(client, database, 'events', eventRow, events, eventSubject);
  if (decisions.length > 0) await store(client, database, 'decisions', decisionRow, decisions, anySubject);
  if (alerts.length > 0) await store(client, database, 'alerts', alertRow, alerts, anySubject);
}

/** Stores every fixture above; t-out-1 twice (as a redelivery before a merge would be). */
export async function seedDataReads(client: SqlClient, database: string): Promise<void> {
  await store(client, database, 'events', eventRow, [...ACCOUNT_EVENTS, ACCOUNT_EVENTS[6]!, OLD_EVENT, ...PROFILES, ...NETWORK_EVENTS, ...CASH_EVENTS, LINKED_EVENT], eventSubject);
  await store(client, database, 'decisions', decisionRow, [...ACCOUNT_DECISIONS, ...CREDIT_DECISIONS], anySubject);
  await store(client, database, 'alerts', alertRow, [...ACCOUNT_ALERTS, ...NETWORK_ALERTS], anySubject);
  await store(client, database, 'dead_letters', deadLetterRow, DEAD_LETTERS, (v) => (v as DeadLetterWire).subject);
}
