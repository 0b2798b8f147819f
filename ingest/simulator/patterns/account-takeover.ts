// Account takeover: a new device on a new address, usually far from the customer's home, logs in, tries a
// small transfer, then sends large amounts to payees the customer never paid, the last of them
// (nearly) whatever is left: its debtorBalance, when the bank shows one (as often as on ordinary
// payments, BALANCE_SHARE), is its amount or a little more. Ordinary transfers that move savings out
// empty accounts the same way (`drainShare`), less often.
import { formatMinor } from '../../../core/money.js';
import { BALANCE_SHARE, SEGMENT_SPEND, drainShare } from '../amounts.js';
import { everydayAccount, maybePurpose } from '../traffic.js';
import type { PaymentEventWire } from '../../../core/contracts/index.js';
import { paymentEvent } from '../events.js';
import { newDevice } from '../network.js';
import type { PatternDefinition, ScenarioStep } from '../scenario.js';
import { ownParty } from '../world.js';
import { fraudsterPlace, newPayee, usdAmount } from './common.js';

export const accountTakeover: PatternDefinition = {
  name: 'account_takeover',
  fraud: true,
  aml: false,
  credit: false,
  plan({ rng, world, now, time }) {
    const victim = world.pickVictim(rng);
    const account = everydayAccount(rng, victim);
    const device = newDevice(rng);
    const place = fraudsterPlace(rng, victim);
    const channel = rng.chance(0.5) ? 'mobile' : 'online';
    const steps: ScenarioStep[] = [];
    let at = now;
    if (rng.chance(0.6)) {
      steps.push({
        at,
        event: paymentEvent(rng, {
          type: 'transfer', channel, amountMinor: usdAmount(rng, 1, 50, account.currency), currency: account.currency,
          debtor: ownParty(account), creditor: newPayee(rng, world, victim, 0.3), device, place,
        }),
      });
      at += time.minutes(rng.between(1, 8));
    }
    const scale = Math.sqrt(SEGMENT_SPEND[victim.segment]);
    const transfers = rng.int(1, 4);
    let lastMinor = 0;
    for (let i = 0; i < transfers; i++) {
      const purpose = maybePurpose(rng);
      lastMinor = usdAmount(rng, 2000 * scale, 15000 * scale, account.currency);
      steps.push({
        at,
        event: paymentEvent(rng, {
          type: 'transfer', channel, amountMinor: lastMinor, currency: account.currency,
          debtor: ownParty(account), creditor: newPayee(rng, world, victim, 0.5), device, place,
          ...(purpose ? { purpose } : {}),
        }),
      });
      at += time.minutes(rng.between(1, 10));
    }
    const lastStep = steps[steps.length - 1]!;
    if (rng.chance(BALANCE_SHARE)) {
      (lastStep.event as PaymentEventWire).debtorBalance = formatMinor(Math.ceil(lastMinor / drainShare(rng)), account.currency);
    } else {
      steps[steps.length - 1] = { ...lastStep, withoutBalance: true };
    }
    return steps;
  },
};
