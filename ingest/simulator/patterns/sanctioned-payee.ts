// Payments to a sanctioned person: the payee's name is an individual on the OFAC SDN list, typed
// the way a payer would (first name first, or as listed, or without middle names), so screening
// has to match names fuzzily.
import type { Account } from '../customers.js';
import { paymentEvent } from '../events.js';
import { naturalOrder } from '../reference.js';
import type { Rng } from '../rng.js';
import type { PatternDefinition, ScenarioStep } from '../scenario.js';
import { digitalChannel, maybePurpose, remittanceShape } from '../traffic.js';
import { ownParty } from '../world.js';
import { rangedAmount } from './common.js';

export const sanctionedPayee: PatternDefinition = {
  name: 'sanctioned_payee',
  fraud: false,
  aml: true,
  credit: false,
  plan({ rng, world, now, time }) {
    const names = world.reference.sdnIndividuals;
    if (names.length === 0) return undefined;
    const c = world.pickActive(rng);
    const account = c.accounts[0] as Account;
    const currency = account.currency;
    const name = payeeSpelling(rng, rng.pick(names));
    const payee = { ...world.newExternalParty(rng, world.tradeCountry(rng, c.country), 'personal'), name };
    const payments = rng.int(1, 2);
    const steps: ScenarioStep[] = [];
    let at = now;
    for (let i = 0; i < payments; i++) {
      const remittance = rng.chance(0.5);
      const purpose = maybePurpose(rng);
      steps.push({
        at,
        event: paymentEvent(rng, {
          type: remittance ? 'remittance' : 'transfer',
          amountMinor: rangedAmount(rng, 500, 20000, currency), currency,
          debtor: ownParty(account), creditor: payee, device: world.deviceFor(rng, c), place: c,
          ...(remittance ? remittanceShape(rng, c) : { channel: rng.chance(0.5) ? digitalChannel(rng, c) : ('wire' as const), ...(purpose ? { purpose } : {}) }),
        }),
      });
      at += time.hours(rng.between(2, 24));
    }
    return steps;
  },
};

export function payeeSpelling(rng: Rng, listed: string): string {
  const roll = rng.float();
  if (roll < 0.25) return listed.slice(0, 256);
  const natural = naturalOrder(listed);
  if (roll < 0.85) return natural.slice(0, 256);
  const parts = natural.split(/\s+/);
  return parts.length > 2 ? `${parts[0]} ${parts[parts.length - 1]}` : natural.slice(0, 256);
}
