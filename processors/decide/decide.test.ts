import { describe, expect, it } from 'vitest';
import type { Domain, EventKind, Reason, Segment } from '../../core/contracts/index.js';
import { createFraudRulesScorer, paymentVector } from '../fraud/index.js';
import { UNKNOWN_CUSTOMER, type AlertDraft, type Scorer, type ScorerOutcome, type ScoringEvent, type ScoringInput } from '../scoring.js';
import {
  SCORER_ERROR_CODE,
  SCORER_ERROR_TYPOLOGY,
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
    { name: 'reasons that are not a list', outcome: { status: 'scored', score: 1, reasons: null, alerts: [] } as unknown as ScorerOutcome, reason: 'fraud_rules returned a malformed outcome' },
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
    const core = decider(input('standard', 'payment', paymentVector({ small_out_count_1h: 8, geo_speed_kmh: 4_000 })));
    expect(core.action).toBe('review');
    expect(core.reasons.map((r) => r.code)).toEqual(['FR-GEO-SPEED']);
    expect(() => createDecider([createFraudRulesScorer(), createFraudRulesScorer()])).toThrowError(/registered twice/);
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
