// Fan-out: one account pays many accounts it never paid before, within the hour (a mule
// distributing proceeds, or payroll-looking payouts from a shell company).
import { paymentEvent } from '../events.js';
import type { PatternDefinition, ScenarioStep } from '../scenario.js';
import { everydayAccount, maybePurpose, transferChannel } from '../traffic.js';
import { ownParty } from '../world.js';
import { newPayee, rangedAmount, spread } from './common.js';

export const fanOut: PatternDefinition = {
  name: 'fan_out',
  fraud: false,
  aml: true,
  credit: false,
  plan({ rng, world, now, time }) {
    const source = world.pickActive(rng);
    const account = everydayAccount(rng, source);
    const currency = account.currency;
    const payees = rng.int(8, 20);
    const steps: ScenarioStep[] = [];
    const device = world.deviceFor(rng, source);
    for (const at of spread(rng, now, time.minutes(rng.between(10, 60)), payees)) {
      const purpose = maybePurpose(rng);
      const creditor = newPayee(rng, world, source, 0.1);
      steps.push({
        at,
        event: paymentEvent(rng, {
          type: 'transfer', channel: transferChannel(rng, source, creditor), amountMinor: rangedAmount(rng, 300, 4000, currency), currency,
          debtor: ownParty(account), creditor, device, place: source,
          ...(purpose ? { purpose } : {}),
        }),
      });
    }
    return steps;
  },
};
