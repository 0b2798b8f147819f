// The contract between the simulator and the injected patterns: a pattern is a pure function of
// the random generator, the world and the time it starts, returning the steps it will take.
import type { WireEvent } from '../../core/contracts/index.js';
import type { Rng } from './rng.js';
import type { Timing } from './time.js';
import type { World } from './world.js';

export const PATTERN_NAMES = [
  'card_testing',
  'account_takeover',
  'structuring',
  'fan_in',
  'fan_out',
  'rapid_pass_through',
  'round_trip',
  'dormant_reactivation',
  'high_risk_jurisdiction',
  'sanctioned_payee',
  'missed_repayment',
  'loan_default',
] as const;
export type PatternName = (typeof PATTERN_NAMES)[number];

/** One event of a scenario and when it happens (stream time, epoch ms). */
export type ScenarioStep = {
  readonly at: number;
  readonly event: WireEvent;
  /**
   * A payment on which the sending bank shows no balance: the pattern drew whether it does (with
   * BALANCE_SHARE, as for ordinary payments) and it does not. Without this, a payment that sets no
   * debtorBalance gets the ordinary draw.
   */
  readonly withoutBalance?: boolean;
};

export type PatternContext = {
  readonly rng: Rng;
  readonly world: World;
  /** Stream time at which the scenario starts. */
  readonly now: number;
  readonly time: Timing;
};

export type PatternDefinition = {
  readonly name: PatternName;
  /** What the pattern is ground truth for. */
  readonly fraud: boolean;
  readonly aml: boolean;
  readonly credit: boolean;
  /**
   * The scenario's steps in time order, or undefined when the world has nothing that fits now
   * (no dormant account left asleep, say). An iterable so that long scenarios unfold lazily.
   */
  plan(ctx: PatternContext): Iterable<ScenarioStep> | undefined;
};

/** Sorts the steps of a scenario planned all at once, keeping equal times in planned order. */
export function inTimeOrder(steps: ScenarioStep[]): ScenarioStep[] {
  return steps.map((s, i) => [s, i] as const).sort((a, b) => a[0].at - b[0].at || a[1] - b[1]).map(([s]) => s);
}
