// The registry of injected patterns, one definition per name; a missing or doubled name fails
// when the module loads rather than silently skipping a pattern.
import { PATTERN_NAMES, type PatternDefinition, type PatternName } from '../scenario.js';
import { accountTakeover } from './account-takeover.js';
import { cardTesting } from './card-testing.js';
import { loanDefault } from './loan-default.js';
import { missedRepayment } from './missed-repayment.js';
import { dormantReactivation } from './dormant-reactivation.js';
import { fanIn } from './fan-in.js';
import { fanOut } from './fan-out.js';
import { highRiskJurisdiction } from './high-risk-jurisdiction.js';
import { rapidPassThrough } from './rapid-pass-through.js';
import { roundTrip } from './round-trip.js';
import { sanctionedPayee } from './sanctioned-payee.js';
import { structuring } from './structuring.js';

const DEFINITIONS: readonly PatternDefinition[] = [
  cardTesting,
  accountTakeover,
  structuring,
  fanIn,
  fanOut,
  rapidPassThrough,
  roundTrip,
  dormantReactivation,
  highRiskJurisdiction,
  sanctionedPayee,
  missedRepayment,
  loanDefault,
];

function register(definitions: readonly PatternDefinition[]): ReadonlyMap<PatternName, PatternDefinition> {
  const map = new Map<PatternName, PatternDefinition>();
  for (const d of definitions) {
    if (map.has(d.name)) throw new Error(`pattern ${d.name} is registered twice`);
    map.set(d.name, d);
  }
  for (const name of PATTERN_NAMES) if (!map.has(name)) throw new Error(`pattern ${name} has no definition`);
  return map;
}

export const PATTERNS: ReadonlyMap<PatternName, PatternDefinition> = register(DEFINITIONS);
