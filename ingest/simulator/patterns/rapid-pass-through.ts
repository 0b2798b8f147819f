// Rapid pass-through: a large sum arrives and leaves again within minutes, nearly all of it, so
// the account is only a hop in a chain.
import { paymentEvent } from '../events.js';
import type { PatternDefinition, ScenarioStep } from '../scenario.js';
import { everydayAccount, incomingShape, transferChannel } from '../traffic.js';
import { ownParty } from '../world.js';
import { newPayee, rangedAmount } from './common.js';

export const rapidPassThrough: PatternDefinition = {
  name: 'rapid_pass_through',
  fraud: false,
  aml: true,
  credit: false,
  plan({ rng, world, now, time }) {
    const c = world.pickActive(rng);
    const account = everydayAccount(rng, c);
    const currency = account.currency;
    const steps: ScenarioStep[] = [];
    const device = world.deviceFor(rng, c);
    const cycles = rng.chance(0.3) ? 2 : 1;
    let at = now;
    for (let cycle = 0; cycle < cycles; cycle++) {
      const inflow = rangedAmount(rng, 5000, 50000, currency);
      steps.push({
        at,
        event: paymentEvent(rng, {
          type: 'transfer', amountMinor: inflow, currency,
          debtor: world.newExternalParty(rng, rng.chance(0.7) ? c.country : world.tradeCountry(rng, c.country)),
          creditor: ownParty(account),
          ...incomingShape(rng),
        }),
      });
      at += time.minutes(rng.between(2, 15));
      const outflows = rng.chance(0.7) ? 1 : 2;
      let remaining = Math.floor(inflow * rng.between(0.9, 0.99));
      for (let i = 0; i < outflows; i++) {
        const share = i === outflows - 1 ? remaining : Math.floor(remaining * rng.between(0.4, 0.6));
        remaining -= share;
        const creditor = newPayee(rng, world, c, 0.5);
        steps.push({
          at,
          event: paymentEvent(rng, {
            type: 'transfer', channel: transferChannel(rng, c, creditor), amountMinor: Math.max(1, share), currency,
            debtor: ownParty(account), creditor, device, place: c,
          }),
        });
        at += time.minutes(rng.between(0.5, 3));
      }
      at += time.hours(rng.between(1, 6));
    }
    return steps;
  },
};
