// Dormant-account reactivation: an account with nothing on it for months (its last activity is on
// the stream, months back) suddenly sends large sums to new payees, sometimes from a new device.
import { SEGMENT_SPEND } from '../amounts.js';
import type { Account } from '../customers.js';
import { paymentEvent } from '../events.js';
import { newDevice } from '../network.js';
import type { PatternDefinition, ScenarioStep } from '../scenario.js';
import { incomingShape } from '../traffic.js';
import { ownParty } from '../world.js';
import { newPayee, rangedAmount } from './common.js';

export const dormantReactivation: PatternDefinition = {
  name: 'dormant_reactivation',
  // both: a dormant account is taken over (six times in ten from a new device) as often as it is
  // reused as a mule, and fraud rules (FR-DORMANT) catch it; labelled AML alone until 2026-12-06,
  // so `replay --evaluate` counted those catches as fraud false positives
  fraud: true,
  aml: true,
  credit: false,
  plan({ rng, world, now, time }) {
    const c = world.claimDormant(rng);
    if (c === undefined) return undefined;
    const account = c.accounts[0] as Account;
    const currency = account.currency;
    const device = rng.chance(0.6) ? newDevice(rng) : rng.pick(world.devicesOf(c));
    const channel = rng.chance(0.5) ? 'online' : 'mobile';
    const steps: ScenarioStep[] = [];
    let at = now;
    if (rng.chance(0.5)) {
      steps.push({
        at,
        event: paymentEvent(rng, {
          type: 'transfer', amountMinor: rangedAmount(rng, 3000, 30000, currency), currency,
          debtor: world.newExternalParty(rng, world.tradeCountry(rng)), creditor: ownParty(account),
          ...incomingShape(rng),
        }),
      });
      at += time.minutes(rng.between(5, 30));
    }
    const scale = Math.sqrt(SEGMENT_SPEND[c.segment]);
    const outflows = rng.int(2, 4);
    for (let i = 0; i < outflows; i++) {
      steps.push({
        at,
        event: paymentEvent(rng, {
          type: 'transfer', channel, amountMinor: rangedAmount(rng, 2000, 20000, currency, scale), currency,
          debtor: ownParty(account), creditor: newPayee(rng, world, c, 0.4), device, place: c,
        }),
      });
      at += time.minutes(rng.between(2, 20));
    }
    return steps;
  },
};
