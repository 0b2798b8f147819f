// Fan-in mule account: many payers, most of them new to the account, send money into one
// person's account within the hour, and the money leaves again soon after, mostly abroad.
import { minorToUsdCents, usdToMinor } from '../amounts.js';
import type { Account } from '../customers.js';
import { paymentEvent } from '../events.js';
import type { PatternDefinition, ScenarioStep } from '../scenario.js';
import { digitalChannel, everydayAccount, incomingShape, maybePurpose, remittanceShape } from '../traffic.js';
import { ownParty } from '../world.js';
import { newPayee, rangedAmount, spread } from './common.js';

export const fanIn: PatternDefinition = {
  name: 'fan_in',
  fraud: false,
  aml: true,
  credit: false,
  plan({ rng, world, now, time }) {
    const mule = world.pickIndividual(rng);
    const account = everydayAccount(rng, mule);
    const currency = account.currency;
    const payers = rng.int(8, 20);
    const steps: ScenarioStep[] = [];
    // What came in, in USD cents: customers of the bank pay from their own accounts, in their currency.
    let receivedUsdCents = 0;
    let last = now;
    for (const at of spread(rng, now, time.minutes(rng.between(10, 40)), payers)) {
      last = at;
      const purpose = maybePurpose(rng);
      if (rng.chance(0.3)) {
        const payer = world.pickActive(rng);
        const from = payer.accounts[0] as Account;
        if (payer.index !== mule.index) {
          const amountMinor = rangedAmount(rng, 200, 3000, from.currency);
          receivedUsdCents += minorToUsdCents(amountMinor, from.currency);
          steps.push({
            at,
            event: paymentEvent(rng, {
              type: 'transfer', channel: digitalChannel(rng, payer), amountMinor, currency: from.currency,
              debtor: ownParty(from), creditor: ownParty(account),
              device: world.deviceFor(rng, payer), place: payer, ...(purpose ? { purpose } : {}),
            }),
          });
          continue;
        }
      }
      const amountMinor = rangedAmount(rng, 200, 3000, currency);
      receivedUsdCents += minorToUsdCents(amountMinor, currency);
      steps.push({
        at,
        event: paymentEvent(rng, {
          type: 'transfer', amountMinor, currency, debtor: world.newExternalParty(rng, mule.country), creditor: ownParty(account),
          ...incomingShape(rng),
        }),
      });
    }
    // Out again within minutes: most of what came in, in one to three transfers.
    const outflows = rng.int(1, 3);
    let remaining = Math.floor(usdToMinor(receivedUsdCents / 100, currency) * rng.between(0.85, 0.98));
    let at = last + time.minutes(rng.between(2, 20));
    const device = world.deviceFor(rng, mule);
    for (let i = 0; i < outflows; i++) {
      const share = i === outflows - 1 ? remaining : Math.floor(remaining * rng.between(0.3, 0.6));
      remaining -= share;
      const remittance = rng.chance(0.3);
      steps.push({
        at,
        event: paymentEvent(rng, {
          type: remittance ? 'remittance' : 'transfer', amountMinor: Math.max(1, share), currency,
          debtor: ownParty(account), creditor: remittance ? newPayee(rng, world, mule, 1, 'personal') : newPayee(rng, world, mule, 0.5), device, place: mule,
          ...(remittance ? remittanceShape(rng, mule) : { channel: digitalChannel(rng, mule) }),
        }),
      });
      at += time.minutes(rng.between(1, 10));
    }
    return steps;
  },
};
