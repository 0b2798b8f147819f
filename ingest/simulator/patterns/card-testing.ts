// Card testing: someone holding stolen card details tries tiny amounts at many web shops in a
// few minutes to learn whether the card works, and sometimes cashes out with one big purchase.
import type { Account } from '../customers.js';
import { paymentEvent } from '../events.js';
import { newDevice } from '../network.js';
import { type PatternDefinition, type ScenarioStep } from '../scenario.js';
import { merchantParty, ownParty } from '../world.js';
import { fraudsterPlace, spread, usdAmount } from './common.js';

export const cardTesting: PatternDefinition = {
  name: 'card_testing',
  fraud: true,
  aml: false,
  credit: false,
  plan({ rng, world, now, time }) {
    const victim = world.pickVictim(rng);
    const account = victim.accounts[0] as Account;
    if (!account.card) return undefined;
    const device = newDevice(rng);
    const place = fraudsterPlace(rng, victim);
    const attempts = rng.int(12, 35);
    const steps: ScenarioStep[] = [];
    for (const at of spread(rng, now, time.minutes(rng.between(1, 6)), attempts)) {
      const merchant = world.webShop(rng);
      steps.push({
        at,
        event: paymentEvent(rng, {
          type: 'card',
          channel: 'ecommerce',
          amountMinor: usdAmount(rng, 0.5, 4.99, account.currency, 0),
          currency: account.currency,
          debtor: ownParty(account),
          creditor: merchantParty(merchant),
          merchant,
          card: account.card,
          device,
          place,
        }),
      });
    }
    if (rng.chance(0.4)) {
      const merchant = world.webShop(rng);
      steps.push({
        at: now + time.minutes(rng.between(7, 15)),
        event: paymentEvent(rng, {
          type: 'card',
          channel: 'ecommerce',
          amountMinor: usdAmount(rng, 300, 1500, account.currency, 0),
          currency: account.currency,
          debtor: ownParty(account),
          creditor: merchantParty(merchant),
          merchant,
          card: account.card,
          device,
          place,
        }),
      });
    }
    return steps;
  },
};
