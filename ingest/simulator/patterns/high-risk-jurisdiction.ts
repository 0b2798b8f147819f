// Payments to high-risk jurisdictions: a customer with no tie to the country sends sizeable sums
// to new payees in a country on the FATF black or grey list, over a few hours. (Migrants'
// ordinary remittances home to grey-listed countries stay normal traffic: the link explains them.)
import type { Account } from '../customers.js';
import { paymentEvent } from '../events.js';
import type { PatternDefinition, ScenarioStep } from '../scenario.js';
import { maybePurpose, remittanceShape, spendOf, transferChannel } from '../traffic.js';
import { ownParty } from '../world.js';
import { largeAmount } from './common.js';

export const highRiskJurisdiction: PatternDefinition = {
  name: 'high_risk_jurisdiction',
  fraud: false,
  aml: true,
  credit: false,
  plan({ rng, world, now, time }) {
    const fatf = world.reference.fatf;
    if (fatf.length === 0) return undefined;
    const c = world.pickActive(rng);
    const black = fatf.filter((f) => f.list === 'call_for_action');
    const list = black.length > 0 && rng.chance(0.3) ? black : fatf;
    const target = rng.pick(list).country;
    if (target === c.nationality || target === c.country) return undefined;
    const account = c.accounts[0] as Account;
    const currency = account.currency;
    const payments = rng.int(1, 3);
    const steps: ScenarioStep[] = [];
    let at = now;
    for (let i = 0; i < payments; i++) {
      const remittance = rng.chance(0.4);
      const purpose = maybePurpose(rng);
      const creditor = world.newExternalParty(rng, target, remittance ? 'personal' : undefined);
      steps.push({
        at,
        event: paymentEvent(rng, {
          type: remittance ? 'remittance' : 'transfer',
          amountMinor: largeAmount(rng, 6000, 0.8, currency, Math.sqrt(spendOf(c))), currency,
          debtor: ownParty(account), creditor, device: world.deviceFor(rng, c), place: c,
          // Sent as any cross-border transfer is: by wire half the time (until 2026-12 always by wire).
          ...(remittance ? remittanceShape(rng, c) : { channel: transferChannel(rng, c, creditor), ...(purpose ? { purpose } : {}) }),
        }),
      });
      at += time.hours(rng.between(1, 12));
    }
    return steps;
  },
};
