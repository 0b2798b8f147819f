// Structuring: cash paid in as many deposits just under the 10,000 USD reporting threshold over
// a day or a few, at branches and ATMs, sometimes spread over the customer's accounts.
import { CASH_THRESHOLD_USD_CENTS, roundToLocalStep, underThreshold, usdToMinor } from '../amounts.js';
import { paymentEvent } from '../events.js';
import type { PatternDefinition, ScenarioStep } from '../scenario.js';
import { ownParty } from '../world.js';
import { spread } from './common.js';

export const structuring: PatternDefinition = {
  name: 'structuring',
  fraud: false,
  aml: true,
  credit: false,
  plan({ rng, world, now, time }) {
    const c = world.pickActive(rng);
    const deposits = rng.int(4, 12);
    const steps: ScenarioStep[] = [];
    for (const at of spread(rng, now, time.days(rng.between(1, 3)), deposits)) {
      const account = rng.pick(c.accounts);
      const currency = account.currency;
      // Just under the line: 80-99 % of it, in round notes, then checked after conversion.
      const target = usdToMinor((rng.between(0.8, 0.99) * CASH_THRESHOLD_USD_CENTS) / 100, currency);
      const step = roundToLocalStep(usdToMinor(rng.pick([10, 50, 100]), currency), currency, 10);
      const amountMinor = underThreshold(Math.floor(target / step) * step, currency, step);
      const party = ownParty(account);
      const branch = rng.chance(0.7);
      steps.push({
        at,
        event: paymentEvent(rng, {
          type: 'cash_deposit', channel: branch ? 'branch' : 'atm', amountMinor, currency, debtor: party, creditor: party, place: c,
        }),
      });
    }
    return steps;
  },
};
