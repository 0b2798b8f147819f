import { describe, expect, it } from 'vitest';
import type { PaymentEventWire, WireEvent } from '../../../core/contracts/index.js';
import { toReportingMinor } from '../../../core/fx.js';
import { parseAmount } from '../../../core/money.js';
import { CASH_THRESHOLD_USD_CENTS, PATTERN_NAMES, createSimulator, type PatternName } from '../index.js';
import { FRAUD_CITIES, TRAVEL_CITIES, distanceKm } from '../geography.js';
import { World } from '../world.js';
import { BUSINESS_NOUNS, BUSINESS_WORDS, FIRST_NAMES, LAST_NAMES } from '../people.js';
import { loadReference, naturalOrder } from '../reference.js';

const START = Date.parse('2026-11-29T08:00:00.000Z');
/** Events the default settings need before every pattern has shown up at least once. */
const BOUND = 20_000;

const usdCents = (p: PaymentEventWire): number => {
  const parsed = parseAmount(p.amount, p.currency);
  if (!parsed.ok) throw new Error(parsed.message);
  return toReportingMinor(parsed.minor, p.currency);
};
const payments = (events: readonly WireEvent[]): PaymentEventWire[] => events.filter((e): e is PaymentEventWire => e.kind === 'payment');
const isPattern = (e: WireEvent, name: PatternName): boolean => e.labels?.patterns.includes(name) ?? false;

/** The scenarios of a pattern, each complete: started at least two hours before the stream ends. */
function byScenario(events: readonly WireEvent[], name: PatternName): WireEvent[][] {
  const groups = new Map<string, WireEvent[]>();
  for (const e of events) {
    if (!isPattern(e, name)) continue;
    const id = e.labels?.scenarioId ?? '';
    groups.set(id, [...(groups.get(id) ?? []), e]);
  }
  const end = Date.parse(events[events.length - 1]?.ts ?? '');
  return [...groups.values()].filter((s) => Date.parse(s[0]?.ts ?? '') < end - 2 * 3600_000);
}

// At the default 1,000 events/s a scenario spanning an hour of event time takes millions of
// events; at 5 events/s whole scenarios (and loan lives) fit in a short test.
const slow = createSimulator({ seed: 5, startTs: START, rate: 5, loanRate: 0.01 }).take(60_000);
const fast = createSimulator({ seed: 11, startTs: START }).take(BOUND);
/** Hundreds of account takeovers, for shares among them. */
const takeovers = createSimulator({ seed: 5, startTs: START, rate: 1, patternRate: 0.02, patterns: ['account_takeover'] }).take(20_000);
/** The credit patterns come with loans (a few per cent of them go bad), not from the deck. */
const CREDIT: readonly PatternName[] = ['missed_repayment', 'loan_default'];

describe('patterns - appearance at the default rate', () => {
  it.each(PATTERN_NAMES.filter((name) => !CREDIT.includes(name)).map((name) => [name]))('%s shows up, labelled, within the bound', (name) => {
    const first = fast.findIndex((e) => isPattern(e, name));
    expect(first).toBeGreaterThanOrEqual(0);
    expect(first).toBeLessThan(BOUND);
  });

  it.each(CREDIT.map((name) => [name]))('%s shows up, labelled, among a few hundred loans', (name) => {
    const loans = createSimulator({ seed: 11, startTs: START, loanRate: 0.04 }).take(BOUND);
    expect(loans.some((e) => isPattern(e, name))).toBe(true);
  });

  const truth: ReadonlyArray<readonly [PatternName, { fraud: boolean; aml: boolean; credit: boolean }]> = [
    ['card_testing', { fraud: true, aml: false, credit: false }],
    ['account_takeover', { fraud: true, aml: false, credit: false }],
    ['structuring', { fraud: false, aml: true, credit: false }],
    ['fan_in', { fraud: false, aml: true, credit: false }],
    ['fan_out', { fraud: false, aml: true, credit: false }],
    ['rapid_pass_through', { fraud: false, aml: true, credit: false }],
    ['round_trip', { fraud: false, aml: true, credit: false }],
    ['dormant_reactivation', { fraud: true, aml: true, credit: false }],
    ['high_risk_jurisdiction', { fraud: false, aml: true, credit: false }],
    ['sanctioned_payee', { fraud: false, aml: true, credit: false }],
    ['missed_repayment', { fraud: false, aml: false, credit: true }],
    ['loan_default', { fraud: false, aml: false, credit: true }],
  ];
  it.each(truth)('%s carries its ground truth and a scenario id', (name, flags) => {
    const labelled = slow.filter((e) => isPattern(e, name));
    expect(labelled.length).toBeGreaterThan(0);
    for (const e of labelled) expect(e.labels).toMatchObject({ patterns: [name], ...flags, scenarioId: expect.any(String) });
  });
});

describe('patterns - victims', () => {
  it('card testing and account takeover hit people who paid on the stream before', () => {
    // A bank of 50,000 in which most people have not paid yet after 30,000 events: a victim drawn
    // from everyone (as until 2026-12) mostly had no history at all; one drawn from payers has.
    const events = createSimulator({ seed: 3, startTs: START, customers: 50_000, patternRate: 0.01, patterns: ['card_testing', 'account_takeover'] }).take(30_000);
    const paid = new Map<string, number>();
    const victims: number[] = [];
    const seen = new Set<string>();
    for (const p of payments(events)) {
      const scenario = p.labels?.scenarioId;
      if (scenario === undefined) {
        paid.set(p.debtor.accountId, (paid.get(p.debtor.accountId) ?? 0) + 1);
        continue;
      }
      if (seen.has(scenario)) continue;
      seen.add(scenario);
      victims.push(paid.get(p.debtor.accountId) ?? 0);
    }
    expect(victims.length).toBeGreaterThan(100);
    expect(victims.filter((n) => n > 0).length / victims.length).toBeGreaterThan(0.9);
  });
});

describe('patterns - no leaks', () => {
  const normal = payments(slow).filter((e) => e.labels?.patterns.length === 0);
  const injected = payments(slow).filter((e) => (e.labels?.patterns.length ?? 0) > 0);

  const shape = (p: PaymentEventWire): string =>
    [
      Object.keys(p).filter((k) => k !== 'labels').sort().join(','),
      Object.keys(p.debtor).sort().join(','),
      Object.keys(p.creditor).sort().join(','),
      p.type,
      p.channel,
    ].join('|');

  it('gives injected payments only shapes that normal payments also have', () => {
    const normalShapes = new Set(normal.map(shape));
    const unseen = [...new Set(injected.map(shape))].filter((s) => !normalShapes.has(s));
    expect(unseen).toEqual([]);
  });

  it.each([
    ['event id', (e: PaymentEventWire) => [e.id ?? ''], /^[0-9A-HJKMNP-TV-Z]{26}$/],
    ['account id', (e: PaymentEventWire) => [e.debtor.accountId, e.creditor.accountId], /^AC\d{12}$/],
    ['customer id', (e: PaymentEventWire) => [e.debtor.customerId, e.creditor.customerId].filter((x): x is string => !!x), /^CU\d{10}$/],
    ['device id', (e: PaymentEventWire) => (e.device?.id ? [e.device.id] : []), /^dv-[0-9a-f]{12}$/],
    ['bank', (e: PaymentEventWire) => [e.debtor.bank ?? '', e.creditor.bank ?? ''], /^[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}$/],
  ] as const)('draws %s values from the same format for normal and injected traffic', (_what, values, format) => {
    const bad = [...normal, ...injected].flatMap(values).filter((v) => !format.test(v));
    expect(bad.slice(0, 5)).toEqual([]);
  });

  it('gives injected transfers round amounts about as often as ordinary ones (no better than a weak signal)', () => {
    // Many scenarios: a pattern every 20 events. Until 2026-12, 1.4 % of ordinary transfers of 500 USD
    // or more were whole units against 74–79 % of takeovers, reactivations and round trips.
    const many = payments(createSimulator({ seed: 12, startTs: START, patternRate: 0.05 }).take(30_000));
    const large = (p: PaymentEventWire): boolean => (p.type === 'transfer' || p.type === 'remittance') && usdCents(p) >= 50_000;
    const wholeShare = (list: PaymentEventWire[]): number => list.filter((p) => Number.isInteger(Number(p.amount))).length / list.length;
    // Salaries (purpose "Salary") are paid to the cent; a scorer sees the purpose.
    const normalLarge = many.filter((p) => p.labels?.patterns.length === 0 && large(p) && p.purpose !== 'Salary');
    const injectedLarge = many.filter((p) => (p.labels?.patterns.length ?? 0) > 0 && large(p));
    expect(injectedLarge.length).toBeGreaterThan(300);
    expect(wholeShare(normalLarge)).toBeGreaterThan(0.2);
    expect(wholeShare(injectedLarge)).toBeLessThan(1.5 * wholeShare(normalLarge));
  });

  it('places fraud near the usual fraud cities often, but ordinary travellers there too, and some fraud near home', () => {
    // Until 2026-12 every located fraud event and no ordinary one was within 30 km of a fraud city.
    const events = payments(createSimulator({ seed: 16, startTs: START, customers: 5_000, patterns: ['card_testing', 'account_takeover'], patternRate: 0.01 }).take(60_000));
    // Within 100 km: the position of an app or online payment comes from its IP, often tens of km off.
    const nearFraudCity = (p: PaymentEventWire): boolean => p.geo !== undefined && FRAUD_CITIES.some((c) => distanceKm(p.geo!, c) < 100);
    const located = (list: PaymentEventWire[]): PaymentEventWire[] => list.filter((p) => p.geo !== undefined);
    const fraud = located(events.filter((p) => p.labels?.fraud === true));
    const normal = located(events.filter((p) => p.labels?.patterns.length === 0));
    expect(fraud.length).toBeGreaterThan(200);
    expect(normal.filter(nearFraudCity).length).toBeGreaterThan(20);
    expect(fraud.filter(nearFraudCity).length / fraud.length).toBeGreaterThan(0.3);
    expect(fraud.filter(nearFraudCity).length / fraud.length).toBeLessThan(0.8);
    // Some far-away fraud sits in none of the travel cities either (a proxy in any big city).
    const world = new World({ seed: 16, startTs: START, customers: 5_000, merchants: 5_000 });
    const offList = fraud.filter((p) => {
      const home = world.customer(world.indexOfCustomer(p.debtor.customerId ?? '')!);
      return distanceKm(p.geo!, home) > 2000 && !TRAVEL_CITIES.some((c) => distanceKm(p.geo!, c) < 30);
    });
    expect(offList.length / fraud.length).toBeGreaterThan(0.05);
  });

  it('never spells ground truth in an event body', () => {
    const words = [...PATTERN_NAMES, 'mule', 'fraud', 'scenario', 'launder', 'sanction', 'structur'];
    const leaking = slow.filter((e) => {
      const { labels: _labels, ...body } = e;
      const text = JSON.stringify(body).toLowerCase();
      return words.some((w) => text.includes(w));
    });
    expect(leaking.slice(0, 3)).toEqual([]);
  });

  it('names injected counterparties with the generators normal traffic uses (sanctioned names aside)', () => {
    const firsts = new Set<string>(FIRST_NAMES);
    const lasts = new Set<string>(LAST_NAMES);
    const stems = new Set<string>([...BUSINESS_WORDS, ...LAST_NAMES]);
    const nouns = new Set<string>(BUSINESS_NOUNS);
    const generated = (name: string): boolean => {
      const parts = name.split(' ');
      if (parts.length === 2) return firsts.has(parts[0] ?? '') && lasts.has(parts[1] ?? '');
      return parts.length === 3 && stems.has(parts[0] ?? '') && nouns.has(parts[1] ?? '');
    };
    const odd = injected
      .filter((p) => !isPattern(p, 'sanctioned_payee') && !p.merchant)
      .flatMap((p) => [p.debtor.name ?? '', p.creditor.name ?? ''])
      .filter((n) => !generated(n));
    expect(odd.slice(0, 5)).toEqual([]);
  });
});

describe('patterns - each typology looks like itself', () => {
  it('card testing: a burst of tiny card-not-present payments on one card at many merchants', () => {
    const scenarios = byScenario(slow, 'card_testing');
    expect(scenarios.length).toBeGreaterThan(0);
    for (const s of scenarios.map(payments)) {
      const tiny = s.filter((p) => usdCents(p) < 500);
      expect(tiny.length).toBeGreaterThanOrEqual(12);
      expect(new Set(s.map((p) => p.debtor.accountId)).size).toBe(1);
      expect(new Set(tiny.map((p) => p.merchant?.id)).size).toBeGreaterThan(5);
      expect(s.every((p) => p.type === 'card' && p.channel === 'ecommerce' && p.card?.present === false)).toBe(true);
    }
  });

  it('account takeover: mostly a device the account never used, sometimes a known one, then large transfers to new payees', () => {
    const many = byScenario(takeovers, 'account_takeover').map(payments);
    expect(many.length).toBeGreaterThan(100);
    const normalDevices = new Set(payments(takeovers).filter((e) => e.labels?.patterns.length === 0).map((p) => p.device?.id));
    // A stolen phone or a hijacked session: the device is one the stream saw the victim use.
    const known = many.filter((s) => s.some((p) => p.device !== undefined && normalDevices.has(p.device.id))).length / many.length;
    // Three in ten use a known device; the stream shows it only if the victim used it before on a digital channel.
    expect(known).toBeGreaterThan(0.04);
    expect(known).toBeLessThan(0.45);
    // Large, log-normal around the victim's scale: mostly over 1,500 USD, never a clean range.
    const largest = many.map((s) => Math.max(...s.map(usdCents)));
    expect(largest.filter((c) => c >= 150_000).length / many.length).toBeGreaterThan(0.85);
    expect(largest.some((c) => c < 300_000)).toBe(true);
    const scenarios = many;
    for (const s of scenarios) {
      // The last transfer (nearly) empties the account, when the bank shows the balance.
      const last = s.at(-1)!;
      if (last.debtorBalance !== undefined) expect(Number(last.amount) / Number(last.debtorBalance)).toBeGreaterThanOrEqual(0.9);
    }
    // The bank shows it about as often as on ordinary payments (BALANCE_SHARE): its presence is no label.
    const shown = many.filter((s) => s.at(-1)!.debtorBalance !== undefined).length;
    expect(shown).toBeGreaterThan(0);
    expect(shown).toBeLessThan(many.length);
  });

  it('structuring: every deposit stays under the 10,000 USD threshold, and close to it', () => {
    const deposits = payments(slow.filter((e) => isPattern(e, 'structuring')));
    expect(deposits.length).toBeGreaterThan(0);
    for (const p of deposits) {
      expect(p.type).toBe('cash_deposit');
      expect(usdCents(p)).toBeLessThan(CASH_THRESHOLD_USD_CENTS);
      expect(usdCents(p)).toBeGreaterThanOrEqual(CASH_THRESHOLD_USD_CENTS * 0.75);
    }
  });

  it('fan-in: many payers into one account, then most of it out again', () => {
    const scenarios = byScenario(slow, 'fan_in').map(payments);
    expect(scenarios.length).toBeGreaterThan(0);
    for (const s of scenarios) {
      const mule = s[0]?.creditor.accountId;
      const ins = s.filter((p) => p.creditor.accountId === mule);
      const outs = s.filter((p) => p.debtor.accountId === mule);
      expect(new Set(ins.map((p) => p.debtor.accountId)).size).toBeGreaterThanOrEqual(7);
      expect(outs.length).toBeGreaterThan(0);
      const sum = (list: PaymentEventWire[]): number => list.reduce((a, p) => a + usdCents(p), 0);
      expect(sum(outs) / sum(ins)).toBeGreaterThan(0.8);
    }
  });

  it("fan-in: the bank's own customers pay in from their own account in its currency", () => {
    // Until 2026-12 they paid in the mule's currency: 48 of 170 in a currency their account is not in.
    const events = payments(createSimulator({ seed: 14, startTs: START, customers: 2_000, patterns: ['fan_in'], patternRate: 0.02 }).take(40_000));
    const currencyOf = new Map<string, string>();
    for (const p of events) if (p.labels?.patterns.length === 0 && p.type === 'card') currencyOf.set(p.debtor.accountId, p.currency);
    const fromOwn = events.filter((p) => isPattern(p, 'fan_in') && p.debtor.customerId !== undefined && currencyOf.has(p.debtor.accountId));
    expect(fromOwn.length).toBeGreaterThan(50);
    expect(fromOwn.filter((p) => p.currency !== currencyOf.get(p.debtor.accountId))).toEqual([]);
  });

  it('fan-out: one account pays many distinct new accounts', () => {
    const scenarios = byScenario(slow, 'fan_out').map(payments);
    expect(scenarios.length).toBeGreaterThan(0);
    for (const s of scenarios) {
      expect(new Set(s.map((p) => p.debtor.accountId)).size).toBe(1);
      expect(new Set(s.map((p) => p.creditor.accountId)).size).toBeGreaterThanOrEqual(8);
    }
    // Log-normal, not uniform between hard edges (300–4,000 USD until 2026-12): a few fall outside.
    const many = createSimulator({ seed: 5, startTs: START, rate: 1, patternRate: 0.01, patterns: ['fan_out'] }).take(10_000);
    const amounts = payments(many.filter((e) => isPattern(e, 'fan_out'))).map(usdCents);
    expect(amounts.length).toBeGreaterThan(300);
    const outside = amounts.filter((c) => c < 30_000 || c > 400_000).length / amounts.length;
    expect(outside).toBeGreaterThan(0.005);
    expect(outside).toBeLessThan(0.2);
  });

  it('rapid pass-through: money leaves within minutes, nearly all of it', () => {
    const scenarios = byScenario(slow, 'rapid_pass_through').map(payments);
    expect(scenarios.length).toBeGreaterThan(0);
    for (const s of scenarios) {
      const account = (s[0] as PaymentEventWire).creditor.accountId;
      const ins = s.filter((p) => p.creditor.accountId === account);
      const outs = s.filter((p) => p.debtor.accountId === account);
      const sum = (list: PaymentEventWire[]): number => list.reduce((a, p) => a + usdCents(p), 0);
      expect(sum(outs) / sum(ins)).toBeGreaterThan(0.85);
      expect(sum(outs) / sum(ins)).toBeLessThan(1);
      const firstOut = Date.parse(outs[0]?.ts ?? '');
      expect(firstOut - Date.parse(ins[0]?.ts ?? '')).toBeLessThanOrEqual(15 * 60_000 + 1000);
    }
  });

  it('round trip: A → B → C → A with similar amounts', () => {
    const scenarios = byScenario(slow, 'round_trip').map(payments);
    expect(scenarios.length).toBeGreaterThan(0);
    for (const [ab, bc, ca] of scenarios) {
      expect(ab && bc && ca).toBeTruthy();
      if (!ab || !bc || !ca) continue;
      expect(ab.creditor.accountId).toBe(bc.debtor.accountId);
      expect(bc.creditor.accountId).toBe(ca.debtor.accountId);
      expect(ca.creditor.customerId).toBe(ab.debtor.customerId);
      expect(usdCents(ca) / usdCents(ab)).toBeGreaterThan(0.9);
    }
    // Dressed up as trade only some of the time: a purpose on every hop was a label.
    const hops = scenarios.flat();
    const bare = hops.filter((p) => p.purpose === undefined).length / hops.length;
    expect(bare).toBeGreaterThan(0);
    expect(bare).toBeLessThan(1);
  });

  it('dormant reactivation: the account was last active months before', () => {
    const scenarios = byScenario(slow, 'dormant_reactivation').map(payments);
    expect(scenarios.length).toBeGreaterThan(0);
    for (const s of scenarios) {
      const out = s.find((p) => p.creditor.accountId !== p.debtor.accountId && p.debtor.customerId !== undefined) as PaymentEventWire;
      const at = Date.parse(out.ts);
      const before = payments(slow).filter((p) => p.debtor.accountId === out.debtor.accountId && Date.parse(p.ts) < at && !isPattern(p, 'dormant_reactivation'));
      expect(before.length).toBeGreaterThan(0);
      expect(at - Math.max(...before.map((p) => Date.parse(p.ts)))).toBeGreaterThan(85 * 86_400_000);
    }
  });

  it('high-risk jurisdictions: payees sit in FATF-listed countries', () => {
    const listed = new Set(loadReference().fatf.map((f) => f.country));
    const sent = payments(slow.filter((e) => isPattern(e, 'high_risk_jurisdiction')));
    expect(sent.length).toBeGreaterThan(0);
    for (const p of sent) expect(listed.has(p.creditor.country ?? '')).toBe(true);
    // Transfers go as other cross-border transfers go: not always by wire.
    const transfers = sent.filter((p) => p.type === 'transfer');
    expect(transfers.some((p) => p.channel === 'wire')).toBe(true);
    expect(transfers.some((p) => p.channel !== 'wire')).toBe(true);
  });

  it('sanctioned payees: names come from the SDN individuals, in a spelling a payer would use', () => {
    const sdn = loadReference().sdnIndividuals;
    const spellings = new Set(sdn.flatMap((n) => {
      const natural = naturalOrder(n);
      const parts = natural.split(/\s+/);
      return [n, natural, `${parts[0]} ${parts[parts.length - 1]}`];
    }));
    const sent = payments(slow.filter((e) => isPattern(e, 'sanctioned_payee')));
    expect(sent.length).toBeGreaterThan(0);
    for (const p of sent) expect(spellings.has(p.creditor.name ?? '')).toBe(true);
  });
});
