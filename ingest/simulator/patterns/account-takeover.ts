// Account takeover: a new device on a new address (or, three times in ten, a device the account
// knows: stolen, hijacked or remotely controlled), usually far from the customer's home, logs in, tries a
// small transfer, then sends large amounts to payees the customer never paid, the last of them
// (nearly) whatever is left: its debtorBalance, when the bank shows one (as often as on ordinary
// payments, BALANCE_SHARE), is its amount or a little more. Ordinary transfers that move savings out
// empty accounts the same way (`drainShare`), less often.
import { formatMinor } from '../../../core/money.js';
import { BALANCE_SHARE, SEGMENT_SPEND, drainShare } from '../amounts.js';
import { everydayAccount, maybePurpose, whereabouts } from '../traffic.js';
import type { PaymentEventWire } from '../../../core/contracts/index.js';
import { paymentEvent } from '../events.js';
import { ipAddress, newDevice } from '../network.js';
import type { PatternDefinition, ScenarioStep } from '../scenario.js';
import { ownParty } from '../world.js';
import { fraudsterPlace, largeAmount, newPayee, usdAmount } from './common.js';

/** Takeovers from a device the account already used (a stolen phone, a hijacked session). */
export const KNOWN_DEVICE_TAKEOVERS = 0.3;

export const accountTakeover: PatternDefinition = {
  name: 'account_takeover',
  fraud: true,
  aml: false,
  credit: false,
  plan({ rng, world, now, time }) {
    const victim = world.pickVictim(rng);
    const account = everydayAccount(rng, victim);
    // Most takeovers log in from the fraudster's own device; some from one the account knows: a
    // stolen phone, a hijacked session, remote access to the victim's computer (then from home).
    const known = rng.chance(KNOWN_DEVICE_TAKEOVERS);
    const remote = known && rng.chance(0.5);
    const victimDevice = rng.pick(world.devicesOf(victim));
    const device = !known ? newDevice(rng) : remote ? victimDevice : Object.freeze({ ...victimDevice, ip: ipAddress(rng) });
    const place = remote ? whereabouts(rng, world, victim, now) : fraudsterPlace(rng, victim);
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
      // Log-normal around about 25 times the victim's everyday transfer, as a large real transfer is (`largeAmount`).
      lastMinor = largeAmount(rng, 6000, 0.6, account.currency, scale);
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
