import { describe, expect, it } from 'vitest';
import type { AlertWire, DecisionWire, Domain, EventKind, Reason, Segment } from '../../core/contracts/index.js';
// The writer's row mappers (not on storage's public face): the guard that what decide() emits is storable.
import { alertRow } from '../../storage/writer/rows/alert-row.js';
import { decisionRow } from '../../storage/writer/rows/decision-row.js';
import { createFraudRulesScorer, paymentVector } from '../fraud/index.js';
import { UNKNOWN_CUSTOMER, type AlertDraft, type Scorer, type ScorerOutcome, type ScoringEvent, type ScoringInput } from '../scoring.js';
import {
  SCORER_ERROR_CODE,
  SCORER_ERROR_TYPOLOGY,
  OUTCOME_LIMITS,
  createDecider,
  createDecisionPolicy,
  createScorerRegistry,
  decide,
  type DecideOptions,
} from './index.js';

function reason(scorer: string, code: string, points: number): Reason {
  return { code, scorer, points, text: `${code} text` };
}

function scored(score: number, reasons: Reason[] = [], alerts: AlertDraft[] = []): ScorerOutcome {
  return { status: 'scored', score, reasons, alerts };
}

function scorer(name: string, domain: Domain, result: ScorerOutcome | (() => ScorerOutcome), kinds: EventKind[] = ['payment']): Scorer {
  return {
    name,
    version: `${name}-v1`,
    domain,
    kinds,
    score: typeof result === 'function' ? result : () => result,
  };
}

function event(kind: EventKind = 'payment'): ScoringEvent {
  return {
    kind,
    id: 'ev-1',
    ts: Date.parse('2026-11-29T10:15:00.000Z'),
    amountMinor: 125_000,
    currency: 'USD',
    money: { amount: 125_000 },
    partitionKey: 'ACC-1',
    customerId: 'C-1',
    body: { v: 1, kind: 'payment', id: 'ev-1', ts: '2026-11-29T10:15:00.000Z', type: 'transfer', channel: 'mobile', amount: '1250.00', currency: 'USD', debtor: { accountId: 'ACC-1' }, creditor: { accountId: 'ACC-2' } },
  } as ScoringEvent;
}

function input(segment: Segment = 'standard', kind: EventKind = 'payment', features: Record<string, number> = paymentVector()): ScoringInput {
  return { event: event(kind), features, profile: { ...UNKNOWN_CUSTOMER, known: true, segment } };
}

function run(scorers: Scorer[], given: ScoringInput = input(), options?: DecideOptions) {
  return decide(given, createScorerRegistry(scorers), options);
}

describe('decide - scorer registry', () => {
  it('refuses a duplicate name', () => {
    expect(() => createScorerRegistry([scorer('fraud_rules', 'fraud', scored(0)), scorer('fraud_rules', 'aml', scored(0))])).toThrowError(
      /scorer "fraud_rules" is registered twice/,
    );
  });

  it.each([
    { name: 'a name that is not snake_case', bad: scorer('Fraud Rules', 'fraud', scored(0)), message: /snake_case/ },
    { name: 'an unknown domain', bad: scorer('x', 'ops' as Domain, scored(0)), message: /unknown domain "ops"/ },
    { name: 'an unknown kind', bad: scorer('x', 'fraud', scored(0), ['refund' as EventKind]), message: /unknown kinds: refund/ },
  ])('refuses $name', ({ bad, message }) => {
    expect(() => createScorerRegistry([bad])).toThrowError(message);
  });

  it('indexes scorers and their versions by kind', () => {
    const registry = createScorerRegistry([scorer('fraud_rules', 'fraud', scored(0)), scorer('credit_app', 'credit', scored(0), ['loan.application'])]);
    expect(registry.forKind('payment').map((s) => s.name)).toEqual(['fraud_rules']);
    expect(registry.modelsFor('loan.application')).toEqual({ credit_app: 'credit_app-v1' });
    expect(registry.forKind('customer')).toEqual([]);
  });
});

describe('decide - segment thresholds', () => {
  const cases: Array<{ segment: Segment; score: number; action: string }> = [
    { segment: 'standard', score: 399, action: 'allow' },
    { segment: 'standard', score: 400, action: 'review' },
    { segment: 'standard', score: 699, action: 'review' },
    { segment: 'standard', score: 700, action: 'block' },
    { segment: 'important', score: 449, action: 'allow' },
    { segment: 'important', score: 450, action: 'review' },
    { segment: 'important', score: 799, action: 'review' },
    { segment: 'important', score: 800, action: 'block' },
    { segment: 'vip', score: 499, action: 'allow' },
    { segment: 'vip', score: 700, action: 'review' },
    { segment: 'vip', score: 899, action: 'review' },
    { segment: 'vip', score: 900, action: 'block' },
  ];
  it.each(cases)('$segment at $score -> $action', ({ segment, score, action }) => {
    expect(run([scorer('fraud_rules', 'fraud', scored(score))], input(segment)).action).toBe(action);
  });
});

describe('decide - combining scorers', () => {
  it('takes the highest fraud score and merges fraud reasons by points', () => {
    const core = run([
      scorer('fraud_rules', 'fraud', scored(450, [reason('fraud_rules', 'FR-A', 450)])),
      scorer('fraud_model', 'fraud', scored(720, [reason('fraud_model', 'M-1', 500), reason('fraud_model', 'M-2', 100)])),
    ]);
    expect(core.score).toBe(720);
    expect(core.action).toBe('block');
    expect(core.reasons.map((r) => r.code)).toEqual(['M-1', 'FR-A', 'M-2']);
    expect(core.models).toEqual({ fraud_rules: 'fraud_rules-v1', fraud_model: 'fraud_model-v1' });
    expect(core.outcomes).toEqual({ fraud_rules: 'scored', fraud_model: 'scored' });
    expect(core.errors).toEqual({});
  });

  it('never lets AML block or explain; it only adds alerts', () => {
    const amlAlert: AlertDraft = { domain: 'aml', typology: 'structuring', severity: 'high', score: 990, reasons: [reason('aml_typologies', 'AML-STRUCT', 990)] };
    const core = run([scorer('fraud_rules', 'fraud', scored(0)), scorer('aml_typologies', 'aml', scored(990, amlAlert.reasons as Reason[], [amlAlert]))]);
    expect(core).toMatchObject({ score: 0, action: 'allow', reasons: [], alerts: [amlAlert] });
  });

  it('keeps credit reasons but lets them not set the action', () => {
    const core = run([scorer('credit_ews', 'credit', scored(900, [reason('credit_ews', 'CR-1', 300)]))]);
    expect(core).toMatchObject({ score: 0, action: 'allow', reasons: [{ code: 'CR-1' }] });
  });

  it('allows other kinds whatever their scores, and consults only their scorers', () => {
    const core = run(
      [scorer('fraud_rules', 'fraud', scored(1000)), scorer('loan_fraud', 'fraud', scored(1000, [reason('loan_fraud', 'LF-1', 1000)]), ['loan.application'])],
      input('standard', 'loan.application'),
    );
    expect(core).toMatchObject({ score: 1000, action: 'allow', models: { loan_fraud: 'loan_fraud-v1' }, outcomes: { loan_fraud: 'scored' } });
    expect(core.outcomes).not.toHaveProperty('fraud_rules');
  });

  it('records not applicable scorers', () => {
    const core = run([scorer('fraud_rules', 'fraud', { status: 'not_applicable' })]);
    expect(core).toMatchObject({ score: 0, action: 'allow', outcomes: { fraud_rules: 'not_applicable' } });
  });

  it('keeps one alert per domain and typology (the alert id would deduplicate the other)', () => {
    const low: AlertDraft = { domain: 'fraud', typology: 'account_takeover', severity: 'medium', score: 550, reasons: [] };
    const high: AlertDraft = { ...low, severity: 'high', score: 760 };
    const other: AlertDraft = { ...low, typology: 'velocity' };
    const core = run([scorer('fraud_rules', 'fraud', scored(550, [], [low, other])), scorer('fraud_model', 'fraud', scored(760, [], [high]))]);
    expect(core.alerts).toEqual([high, other]);
  });
});

describe('decide - error isolation', () => {
  const boom = (): ScorerOutcome => {
    throw new Error('redis said: secret-token-123 at 10.0.0.7');
  };

  it('turns a thrown exception into an error outcome with a safe reason, and holds the payment for review', () => {
    const heard: Array<[string, unknown]> = [];
    const core = run([scorer('fraud_rules', 'fraud', boom), scorer('aml_typologies', 'aml', scored(0))], input(), {
      onScorerThrow: (name, error) => heard.push([name, error]),
    });
    expect(core).toMatchObject({
      score: 0,
      action: 'review',
      outcomes: { fraud_rules: 'error', aml_typologies: 'scored' },
      errors: { fraud_rules: 'fraud_rules failed while scoring' },
      reasons: [{ code: SCORER_ERROR_CODE, scorer: 'fraud_rules', points: 0, text: 'fraud_rules failed while scoring' }],
    });
    expect(JSON.stringify(core)).not.toMatch(/secret|10\.0\.0\.7/);
    expect(heard.map(([name]) => name)).toEqual(['fraud_rules']);
  });

  it('keeps a block from a working fraud scorer when another fails', () => {
    const core = run([scorer('fraud_rules', 'fraud', boom), scorer('fraud_model', 'fraud', scored(800))]);
    expect(core).toMatchObject({ score: 800, action: 'block', outcomes: { fraud_rules: 'error', fraud_model: 'scored' } });
  });

  it('passes on a scorer error outcome and truncates its reason', () => {
    const core = run([scorer('fraud_rules', 'fraud', { status: 'error', reason: 'x'.repeat(1000) })]);
    expect(core.action).toBe('review');
    expect(core.errors.fraud_rules).toHaveLength(300);
  });

  it.each([
    { name: 'a score above 1000', outcome: scored(1500), reason: 'fraud_rules returned a score outside 0–1000' },
    { name: 'a NaN score', outcome: scored(Number.NaN), reason: 'fraud_rules returned a score outside 0–1000' },
    { name: 'no outcome', outcome: undefined as unknown as ScorerOutcome, reason: 'fraud_rules returned no outcome' },
    { name: 'an unknown status', outcome: { status: 'maybe' } as unknown as ScorerOutcome, reason: 'fraud_rules returned an unknown status' },
    {
      name: 'reasons that are not a list',
      outcome: { status: 'scored', score: 1, reasons: null, alerts: [] } as unknown as ScorerOutcome,
      reason: 'fraud_rules returned a malformed outcome: /reasons must be a list',
    },
  ])('treats $name as an error', ({ outcome, reason: text }) => {
    expect(run([scorer('fraud_rules', 'fraud', outcome)]).errors).toEqual({ fraud_rules: text });
  });

  it('does not let a failing AML scorer change the action or show in reasons', () => {
    const core = run([scorer('fraud_rules', 'fraud', scored(100)), scorer('aml_typologies', 'aml', boom)]);
    expect(core).toMatchObject({ action: 'allow', reasons: [], errors: { aml_typologies: 'aml_typologies failed while scoring' } });
  });

  it('survives a log hook that throws', () => {
    const core = run([scorer('fraud_rules', 'fraud', boom)], input(), {
      onScorerThrow: () => {
        throw new Error('logger down');
      },
    });
    expect(core.outcomes.fraud_rules).toBe('error');
  });

  it('follows a policy that lets failures through', () => {
    const core = run([scorer('fraud_rules', 'fraud', boom)], input(), { policy: createDecisionPolicy({ onFraudScorerError: 'allow' }) });
    expect(core.action).toBe('allow');
  });
});

describe('decide - a payment held because a fraud scorer failed', () => {
  const boom = (): ScorerOutcome => {
    throw new Error('redis said: secret-token-123 at 10.0.0.7');
  };
  const failure = (name: string, text = `${name} failed while scoring`): Reason => ({ code: SCORER_ERROR_CODE, scorer: name, points: 0, text });

  it('raises a scorer_error alert of its own, so that the held payment is in the alert feed', () => {
    const core = run([scorer('fraud_rules', 'fraud', boom)]);
    expect(core.action).toBe('review');
    expect(core.alerts).toEqual([{ domain: 'fraud', typology: SCORER_ERROR_TYPOLOGY, severity: 'medium', score: 0, reasons: [failure('fraud_rules')] }]);
    expect(JSON.stringify(core.alerts)).not.toMatch(/secret|10\.0\.0\.7/);
  });

  it('raises it when every starter rule errors (a feature-store fault: non-finite features)', () => {
    const broken: Record<string, number> = { ...paymentVector() };
    for (const name of Object.keys(broken)) broken[name] = Number.NaN;
    const core = run([createFraudRulesScorer()], input('standard', 'payment', broken));
    expect(core).toMatchObject({ action: 'review', outcomes: { fraud_rules: 'error' } });
    expect(core.alerts).toHaveLength(1);
    expect(core.alerts[0]).toMatchObject({ domain: 'fraud', typology: SCORER_ERROR_TYPOLOGY, severity: 'medium', score: 0 });
    expect(core.alerts[0]!.reasons).toEqual([failure('fraud_rules', core.errors.fraud_rules)]);
    expect(core.alerts[0]!.reasons[0]!.text).toMatch(/^no fraud rule could be evaluated: /);
  });

  const cases: Array<{ name: string; scorers: () => Scorer[]; segment?: Segment; policy?: Parameters<typeof createDecisionPolicy>[0]; action: string; alerts: unknown[] }> = [
    {
      name: 'one alert naming every fraud scorer that failed',
      scorers: () => [scorer('fraud_rules', 'fraud', boom), scorer('fraud_model', 'fraud', { status: 'error', reason: 'model not loaded' })],
      action: 'review',
      alerts: [{ typology: SCORER_ERROR_TYPOLOGY, score: 0, reasons: [failure('fraud_rules'), failure('fraud_model', 'model not loaded')] }],
    },
    {
      name: "the working scorers' score and alerts next to it when another blocks",
      scorers: () => [
        scorer('fraud_rules', 'fraud', boom),
        scorer('fraud_model', 'fraud', scored(800, [], [{ domain: 'fraud', typology: 'account_takeover', severity: 'high', score: 800, reasons: [] }])),
      ],
      action: 'block',
      alerts: [
        { typology: 'account_takeover', score: 800 },
        { typology: SCORER_ERROR_TYPOLOGY, severity: 'medium', score: 800, reasons: [failure('fraud_rules')] },
      ],
    },
    {
      name: 'it for a payment blocked by a policy that blocks on failures',
      scorers: () => [scorer('fraud_rules', 'fraud', boom)],
      policy: { onFraudScorerError: 'block' },
      action: 'block',
      alerts: [{ typology: SCORER_ERROR_TYPOLOGY }],
    },
    { name: 'none when the policy lets failures through', scorers: () => [scorer('fraud_rules', 'fraud', boom)], policy: { onFraudScorerError: 'allow' }, action: 'allow', alerts: [] },
    { name: 'none for a failing AML scorer (it never holds a payment)', scorers: () => [scorer('fraud_rules', 'fraud', scored(0)), scorer('aml_typologies', 'aml', boom)], action: 'allow', alerts: [] },
    { name: 'none for a VIP payment a failure lets through under an allowing policy', scorers: () => [scorer('fraud_rules', 'fraud', boom)], segment: 'vip', policy: { onFraudScorerError: 'allow' }, action: 'allow', alerts: [] },
  ];
  it.each(cases)('gives $name', ({ scorers, segment, policy, action, alerts }) => {
    const core = run(scorers(), input(segment), policy ? { policy: createDecisionPolicy(policy) } : {});
    expect(core.action).toBe(action);
    expect(core.alerts).toHaveLength(alerts.length);
    expect(core.alerts).toMatchObject(alerts);
  });

  it('raises none for other kinds, which are never held', () => {
    const core = run([scorer('loan_fraud', 'fraud', boom, ['loan.application'])], input('standard', 'loan.application'));
    expect(core).toMatchObject({ action: 'allow', alerts: [], outcomes: { loan_fraud: 'error' } });
  });

  it('keeps alert ids (event, domain, typology) unique', () => {
    const core = run([
      scorer('fraud_rules', 'fraud', boom),
      scorer('fraud_model', 'fraud', scored(500, [], [{ domain: 'fraud', typology: 'velocity', severity: 'medium', score: 500, reasons: [] }])),
    ]);
    const ids = core.alerts.map((a) => `ev-1~${a.domain}~${a.typology}`);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toContain(`ev-1~fraud~${SCORER_ERROR_TYPOLOGY}`);
  });
});

describe('decide - decider and labels', () => {
  it('binds a registry into the DecideFn the runner calls', () => {
    const decider = createDecider([createFraudRulesScorer()]);
    const core = decider(input('standard', 'payment', paymentVector({ out_count_1m: 7, geo_speed_kmh: 4_000 })));
    expect(core.action).toBe('review');
    expect(core.reasons.map((r) => r.code)).toEqual(['FR-VEL-1M', 'FR-GEO-SPEED']);
    // impossible travel alone is a supporting signal: not enough to hold a payment
    expect(decider(input('standard', 'payment', paymentVector({ geo_speed_kmh: 4_000 }))).action).toBe('allow');
    expect(() => createDecider([createFraudRulesScorer(), createFraudRulesScorer()])).toThrowError(/registered twice/);
  });

  it.each([
    { name: 'the default policy against a fraud scorer alerting from 450', threshold: 450, policy: undefined, message: /standard\.review \(400\) is below the alert threshold of fraud scorer fraud_rules \(450\): standard payments scoring from 400 to under 450 would be held for review with no alert/ },
    { name: 'a VIP review from 350 against the default 400', threshold: undefined, policy: { thresholds: { vip: { review: 350 } } }, message: /vip\.review \(350\) is below the alert threshold of fraud scorer fraud_rules \(400\)/ },
  ])('refuses $name: the review threshold is checked against the alert threshold in force', ({ threshold, policy, message }) => {
    const scorers = [createFraudRulesScorer(undefined, threshold === undefined ? {} : { alertThreshold: threshold })];
    expect(() => createDecider(scorers, policy ? { policy: createDecisionPolicy(policy) } : {})).toThrowError(message);
  });

  it('takes a review threshold at or above the alert threshold of the fraud scorer it runs, whatever the default', () => {
    const eager = createFraudRulesScorer(undefined, { alertThreshold: 250 });
    const decider = createDecider([eager], { policy: createDecisionPolicy({ thresholds: { standard: { review: 300 } } }) });
    // FR-VEL-1M alone scores 300: under the default 400, reviewed and alerted here
    const core = decider(input('standard', 'payment', paymentVector({ out_count_1m: 7 })));
    expect(core.score).toBe(300);
    expect(core.action).toBe('review');
    expect(core.alerts).toHaveLength(1);
    // an AML scorer's threshold, or a scorer that declares none, sets no bound
    expect(() => createDecider([eager, { ...scorer('aml_x', 'aml', scored(0)), alertThreshold: 900 }, scorer('fraud_model', 'fraud', scored(0))])).not.toThrow();
  });

  it('never reads labels carried on the event object', () => {
    const decider = createDecider([createFraudRulesScorer()]);
    const features = paymentVector({ new_device: 1, new_ip: 1, new_payee: 1, amount: 300_000, amount_to_avg: 60 });
    const clean = input('standard', 'payment', features);
    let reads = 0;
    const labelled = { ...clean, event: { ...clean.event } };
    Object.defineProperty(labelled.event, 'labels', {
      enumerable: true,
      get() {
        reads++;
        return { patterns: ['account_takeover'], fraud: true };
      },
    });
    const core = decider(labelled);
    expect(reads).toBe(0);
    expect(core).toEqual(decider(clean));
    expect(core.action).toBe('block');
  });
});

describe('decide - scorer outcome contract (what storage accepts)', () => {
  const draft = (change: Record<string, unknown> = {}): AlertDraft => ({ domain: 'aml', typology: 'structuring', severity: 'high', score: 800, reasons: [reason('aml_model', 'AML-1', 800)], ...change }) as AlertDraft;

  it.each([
    { given: 612.5, score: 613 },
    { given: 612.4999, score: 612 },
    { given: 399.5, score: 400 },
    { given: 999.5, score: 1000 },
    { given: 1000.4, score: 1000 },
    { given: -0.4, score: 0 },
    { given: 0, score: 0 },
  ])('rounds a fraud score of $given half up to $score', ({ given, score }) => {
    const core = run([scorer('fraud_model', 'fraud', scored(given))]);
    expect(core.score).toBe(score);
    expect(Object.is(core.score, score)).toBe(true); // never -0
    expect(core.outcomes.fraud_model).toBe('scored');
  });

  it('acts on the rounded score (399.5 is a review for a standard customer)', () => {
    expect(run([scorer('fraud_model', 'fraud', scored(399.5))]).action).toBe('review');
  });

  it.each([
    { given: 1000.5 },
    { given: -0.6 },
    { given: Number.POSITIVE_INFINITY },
    { given: '500' as unknown as number },
  ])('treats a score of $given (outside 0–1000 after rounding) as an error', ({ given }) => {
    const core = run([scorer('fraud_model', 'fraud', scored(given))]);
    expect(core).toMatchObject({ score: 0, action: 'review', outcomes: { fraud_model: 'error' }, errors: { fraud_model: 'fraud_model returned a score outside 0–1000' } });
  });

  it('rounds an alert draft score and leaves the rest of the draft as it was', () => {
    const core = run([scorer('aml_model', 'aml', scored(0, [], [draft({ score: 799.6 })]))]);
    expect(core.alerts).toEqual([{ ...draft(), score: 800 }]);
  });

  const long = (n: number) => 'x'.repeat(n);
  const broken: Array<{ name: string; outcome: ScorerOutcome; problem: string }> = [
    { name: 'an alert severity outside the enum', outcome: scored(0, [], [draft({ severity: 'urgent' })]), problem: '/alerts/0/severity must be one of low, medium, high, critical' },
    { name: 'an alert domain outside the enum', outcome: scored(0, [], [draft({ domain: 'ops' })]), problem: '/alerts/0/domain must be one of fraud, aml, credit' },
    { name: 'an alert score of 1500', outcome: scored(0, [], [draft({ score: 1500 })]), problem: '/alerts/0/score must be a number from 0 to 1000' },
    { name: 'a NaN alert score', outcome: scored(0, [], [draft({ score: Number.NaN })]), problem: '/alerts/0/score must be a number from 0 to 1000' },
    { name: 'an empty typology', outcome: scored(0, [], [draft({ typology: '' })]), problem: '/alerts/0/typology must be snake_case of at most 64 characters' },
    { name: 'a typology with a ~ (it would split the alert id)', outcome: scored(0, [], [draft({ typology: 'a~b' })]), problem: '/alerts/0/typology must be snake_case' },
    { name: 'a typology of 65 characters', outcome: scored(0, [], [draft({ typology: `t${long(64)}` })]), problem: '/alerts/0/typology must be snake_case of at most 64 characters' },
    { name: "decide()'s own typology", outcome: scored(0, [], [draft({ typology: SCORER_ERROR_TYPOLOGY })]), problem: '/alerts/0/typology scorer_error is reserved for decide()' },
    { name: 'an alert that is not an object', outcome: scored(0, [], [null as unknown as AlertDraft]), problem: '/alerts/0 must be an object' },
    { name: 'alert reasons that are not a list', outcome: scored(0, [], [draft({ reasons: 'AML-1' })]), problem: '/alerts/0/reasons must be a list' },
    { name: 'an alert reason without a code', outcome: scored(0, [], [draft({ reasons: [{ ...reason('aml_model', '', 1) }] })]), problem: '/alerts/0/reasons/0/code must be text of 1 to 128 characters' },
    { name: 'an alert reason with NaN points', outcome: scored(0, [], [draft({ reasons: [reason('aml_model', 'AML-1', Number.NaN)] })]), problem: '/alerts/0/reasons/0/points must be a finite number' },
    { name: 'a second draft that breaks it', outcome: scored(0, [], [draft(), draft({ typology: 'fan_in', severity: 'severe' })]), problem: '/alerts/1/severity' },
    { name: 'a reason code of 129 characters', outcome: scored(0, [reason('aml_model', long(129), 1)]), problem: '/reasons/0/code must be text of 1 to 128 characters' },
    { name: 'a reason text of 2049 characters', outcome: scored(0, [{ ...reason('aml_model', 'AML-1', 1), text: long(2049) }]), problem: '/reasons/0/text must be text of at most 2048 characters' },
    { name: 'a reason without a scorer', outcome: scored(0, [{ code: 'AML-1', points: 1, text: 't' } as Reason]), problem: '/reasons/0/scorer must be text' },
    { name: 'reason texts that are not text', outcome: scored(0, [{ ...reason('aml_model', 'AML-1', 1), texts: { 'secret-language-key': 7 } as unknown as Record<string, string> }]), problem: '/reasons/0/texts must map languages to text' },
    { name: 'a reason that is not an object', outcome: scored(0, ['AML-1' as unknown as Reason]), problem: '/reasons/0 must be an object' },
    { name: 'alerts that are not a list', outcome: { status: 'scored', score: 0, reasons: [], alerts: {} } as unknown as ScorerOutcome, problem: '/alerts must be a list' },
  ];
  it.each(broken)('treats $name as an error of that scorer, with a safe reason', ({ outcome, problem }) => {
    const core = run([scorer('fraud_rules', 'fraud', scored(0)), scorer('aml_model', 'aml', outcome)]);
    expect(core).toMatchObject({ action: 'allow', alerts: [], outcomes: { fraud_rules: 'scored', aml_model: 'error' } });
    expect(core.errors.aml_model).toContain(`aml_model returned a malformed outcome: ${problem}`);
    // The reason names the field, never the value the scorer gave.
    expect(core.errors.aml_model).not.toMatch(/urgent|severe|ops|a~b|secret-language-key|xxxxx/);
    expect(core.errors.aml_model!.length).toBeLessThanOrEqual(300);
  });

  it('holds a payment, with its scorer_error alert, when a fraud scorer breaks the contract, as when it throws', () => {
    const core = run([scorer('fraud_model', 'fraud', scored(650, [], [{ domain: 'fraud', typology: 'velocity', severity: 'urgent' as never, score: 650, reasons: [] }]))]);
    expect(core).toMatchObject({ score: 0, action: 'review', outcomes: { fraud_model: 'error' }, reasons: [{ code: SCORER_ERROR_CODE, scorer: 'fraud_model' }] });
    expect(core.alerts.map((a) => a.typology)).toEqual([SCORER_ERROR_TYPOLOGY]);
  });

  it('keeps the limits of the wire checks the writer makes', () => {
    expect(OUTCOME_LIMITS).toEqual({ reasonCode: 128, reasonScorer: 128, reasonText: 2048, typology: 64 });
  });

  it('passes on a well-formed outcome as the same object (nothing allocated per event)', () => {
    const outcome = scored(500, [reason('fraud_rules', 'FR-A', 500)], [{ domain: 'fraud', typology: 'velocity', severity: 'medium', score: 500, reasons: [] }]);
    const core = run([scorer('fraud_rules', 'fraud', outcome)]);
    expect(core.reasons).toBe((outcome as { reasons: unknown }).reasons);
    expect(core.alerts[0]).toBe((outcome as { alerts: readonly AlertDraft[] }).alerts[0]);
  });
});

describe('decide - what it emits is storable', () => {
  const enc = new TextEncoder();
  const NOW = Date.parse('2026-11-29T10:15:00.250Z');

  // As the runner builds them (processors/runner.ts buildDecision, buildAlert). The features are
  // the runner's, not decide()'s: an ordinary vector here.
  function decisionWire(given: ScoringInput, core: ReturnType<typeof decide>): DecisionWire {
    const e = given.event;
    return {
      v: 1, eventId: e.id, eventKind: e.kind, eventTs: e.ts, ingestTs: null, decidedAt: NOW, accountId: e.partitionKey, customerId: 'C-1', counterpartyId: 'ACC-2',
      channel: 'mobile', paymentType: 'transfer', country: '', counterpartyCountry: '', segment: given.profile.segment, amountMinor: e.amountMinor, currency: e.currency,
      score: core.score, action: core.action, reasons: core.reasons, models: core.models, features: paymentVector(), latencyMs: { processing: 1, total: null },
    };
  }
  function alertWire(given: ScoringInput, a: AlertDraft): AlertWire {
    const e = given.event;
    return {
      v: 1, id: `${e.id}~${a.domain}~${a.typology}`, eventId: e.id, eventKind: e.kind, ts: e.ts, createdAt: NOW, domain: a.domain, typology: a.typology, severity: a.severity,
      score: a.score, accountId: e.partitionKey, customerId: 'C-1', segment: given.profile.segment, amountMinor: e.amountMinor, currency: e.currency, reasons: a.reasons,
    };
  }
  const message = (subject: string, value: unknown) => ({ subject, data: enc.encode(JSON.stringify(value)), ingestTs: null });

  const nanVector = (): Record<string, number> => Object.fromEntries(Object.keys(paymentVector()).map((k) => [k, Number.NaN]));
  const boom = (): ScorerOutcome => {
    throw new Error('down');
  };
  const cases: Array<{ name: string; scorers: () => Scorer[]; features?: Record<string, number> }> = [
    { name: 'a fractional model score and alert score', scorers: () => [scorer('fraud_model', 'fraud', scored(612.5, [reason('fraud_model', 'M-1', 612.5)], [{ domain: 'fraud', typology: 'account_takeover', severity: 'medium', score: 612.5, reasons: [] }]))] },
    { name: 'an out-of-contract AML draft', scorers: () => [createFraudRulesScorer(), scorer('aml_model', 'aml', scored(0, [], [{ domain: 'aml', typology: 'structuring', severity: 'urgent' as never, score: 1500, reasons: [] }]))] },
    { name: 'a thrown fraud scorer', scorers: () => [scorer('fraud_rules', 'fraud', boom)] },
    { name: 'a fraud scorer with a 1000-character error', scorers: () => [scorer('fraud_rules', 'fraud', { status: 'error', reason: 'é'.repeat(1000) })] },
    { name: 'every starter rule erroring', scorers: () => [createFraudRulesScorer()], features: nanVector() },
    { name: 'the starter rules firing (reasons in two languages)', scorers: () => [createFraudRulesScorer()], features: paymentVector({ new_device: 1, new_ip: 1, new_payee: 1, amount: 300_000, amount_to_avg: 60, seconds_since_last: 120 * 86_400 }) },
  ];
  it.each(cases)('$name: the decision and every alert map to rows', ({ scorers, features }) => {
    const given = input('standard', 'payment', features ?? paymentVector());
    const core = run(scorers(), given);
    const decision = decisionRow(message('t1.decision.payment.0', decisionWire(given, core)));
    expect(decision).toMatchObject({ ok: true, row: { score: core.score } });
    for (const a of core.alerts) expect(alertRow(message('t1.alert.fraud', alertWire(given, a))), a.typology).toMatchObject({ ok: true });
    expect(new Set(core.alerts.map((a) => `${a.domain}~${a.typology}`)).size).toBe(core.alerts.length);
  });
});
