// Round-tripping: money goes A → B → C → A through the bank's own customers, hours apart, with
// similar amounts (a small cut at each hop), dressed up as invoices and services.
import { typedAmount, usdToMinor } from '../amounts.js';
import type { Account, Customer } from '../customers.js';
import { paymentEvent } from '../events.js';
import type { PatternDefinition, ScenarioStep } from '../scenario.js';
import { PURPOSES, transferChannel } from '../traffic.js';
import { ownParty } from '../world.js';

const TRADE_PURPOSES = PURPOSES.filter((p) => p === 'Invoice' || p === 'Services' || p === 'Goods' || p === 'Repayment');

export const roundTrip: PatternDefinition = {
  name: 'round_trip',
  fraud: false,
  aml: true,
  credit: false,
  plan({ rng, world, now, time }) {
    const ring: Customer[] = [world.pickActive(rng)];
    while (ring.length < 3) {
      const next = world.pickActive(rng);
      if (ring.every((c) => c.index !== next.index)) ring.push(next);
    }
    let usd = rng.logNormal(12_000, 0.7);
    let at = now;
    const steps: ScenarioStep[] = [];
    for (let hop = 0; hop < 3; hop++) {
      const from = ring[hop] as Customer;
      const to = ring[(hop + 1) % 3] as Customer;
      const account = from.accounts[0] as Account;
      const creditor = ownParty(to.accounts[0] as Account);
      steps.push({
        at,
        event: paymentEvent(rng, {
          type: 'transfer', channel: transferChannel(rng, from, creditor),
          amountMinor: typedAmount(rng, usdToMinor(Math.round(usd * 100) / 100, account.currency), account.currency), currency: account.currency,
          debtor: ownParty(account), creditor,
          device: world.deviceFor(rng, from), place: from,
          // Dressed up as trade half the time; otherwise as bare as most transfers (until 2026-12 every hop carried a purpose).
          purpose: rng.chance(0.5) ? rng.pick(TRADE_PURPOSES) : undefined,
        }),
      });
      usd *= rng.between(0.97, 0.995);
      at += time.hours(rng.between(1, 8));
    }
    return steps;
  },
};
