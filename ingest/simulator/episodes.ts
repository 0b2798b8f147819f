// Everyday episodes that look like the patterns but are legitimate, and carry no labels: a firm
// pays its staff (a fan-out), a firm collects from many customers (a fan-in), a person taps in
// and out of transit or buys in an app many times in minutes (a burst of small payments), a
// person pays a large one-off sum to someone new, sometimes after a small test transfer (a
// takeover's shape). Without them every fan-out, burst and large first payment was a pattern, and
// precision measured on the stream meant nothing.
import type { Party } from '../../core/contracts/index.js';
import { SEGMENT_SPEND, ticket, typedAmount, usdToMinor } from './amounts.js';
import type { Account, Customer } from './customers.js';
import { paymentEvent } from './events.js';
import { WeightedChoice } from './rng.js';
import type { PatternContext, ScenarioStep } from './scenario.js';
import { digitalChannel, everydayAccount, maybePurpose, spendOf, whereabouts } from './traffic.js';
import { tripAt } from './trips.js';
import { merchantParty, ownParty } from './world.js';

export const EPISODE_NAMES = ['payroll', 'collections', 'small_burst', 'large_one_off'] as const;
export type EpisodeName = (typeof EPISODE_NAMES)[number];

type Episode = (ctx: PatternContext) => ScenarioStep[] | undefined;

/** Spread of times over a span, in order, the first at the start. */
function spreadOver(ctx: PatternContext, span: number, count: number): number[] {
  const times: number[] = [ctx.now];
  for (let i = 1; i < count; i++) times.push(ctx.now + (span * (i + ctx.rng.float())) / count);
  return times;
}

/** A person's account at home or at another bank, as an employee or a client would hold it. */
function personOrExternal(ctx: PatternContext, c: Customer, own: number): Party {
  const { rng, world } = ctx;
  if (rng.chance(own)) {
    for (let tries = 0; tries < 5; tries++) {
      const other = world.pickActive(rng);
      if (other.index !== c.index && other.type === 'individual') return ownParty(other.accounts[0] as Account);
    }
  }
  return world.newExternalParty(rng, c.country, 'personal');
}

/** Payroll: a firm pays 8–40 employees their salary by API within minutes (each salary 'Salary'). */
const payroll: Episode = (ctx) => {
  const { rng, world, time } = ctx;
  const firm = world.pickBusiness(rng);
  const account = firm.accounts[0] as Account;
  const staff = Math.round(8 * Math.exp(rng.float() * Math.log(5))); // 8–40, small firms more often
  const steps: ScenarioStep[] = [];
  for (const at of spreadOver(ctx, time.minutes(rng.between(2, 20)), staff)) {
    steps.push({
      at,
      event: paymentEvent(rng, {
        type: 'transfer', channel: 'api', amountMinor: ticket(rng, 3200, 0.4, account.currency, SEGMENT_SPEND[firm.segment] ** 0.3),
        currency: account.currency, debtor: ownParty(account), creditor: personOrExternal(ctx, firm, 0.3), purpose: 'Salary',
      }),
    });
  }
  return steps;
};

/**
 * Collections: 10–30 customers of a firm (a school's fees, a club's dues, a tradesman's invoices)
 * pay into its account within 10–40 minutes; three times in ten it pays a supplier part of it hours later.
 */
const collections: Episode = (ctx) => {
  const { rng, world, time } = ctx;
  const firm = world.pickBusiness(rng);
  const account = firm.accounts[0] as Account;
  const payers = rng.int(10, 30);
  const fee = rng.logNormal(120, 0.8);
  const steps: ScenarioStep[] = [];
  let totalUsd = 0;
  for (const at of spreadOver(ctx, time.minutes(rng.between(10, 40)), payers)) {
    const usd = fee * rng.between(0.8, 1.2);
    totalUsd += usd;
    const own = rng.chance(0.2) ? world.pickActive(rng) : undefined;
    const ownAccount = own?.type === 'individual' && own.index !== firm.index ? (own.accounts[0] as Account) : undefined;
    const currency = ownAccount?.currency ?? account.currency;
    steps.push({
      at,
      event: paymentEvent(rng, {
        type: 'transfer',
        channel: ownAccount && own ? digitalChannel(rng, own) : 'online',
        amountMinor: typedAmount(rng, usdToMinor(Math.round(usd * 100) / 100, currency), currency),
        currency,
        debtor: ownAccount ? ownParty(ownAccount) : world.newExternalParty(rng, firm.country, 'personal'),
        creditor: ownParty(account),
        device: ownAccount && own ? world.deviceFor(rng, own) : undefined,
        place: ownAccount && own ? whereabouts(rng, world, own, at) : undefined,
        purpose: rng.chance(0.5) ? 'Invoice' : maybePurpose(rng),
      }),
    });
  }
  if (rng.chance(0.3)) {
    const at = (steps.at(-1) as ScenarioStep).at + time.hours(rng.between(1, 6));
    steps.push({
      at,
      event: paymentEvent(rng, {
        type: 'transfer', channel: 'online',
        amountMinor: typedAmount(rng, usdToMinor(Math.round(totalUsd * rng.between(40, 80)) / 100, account.currency), account.currency),
        currency: account.currency, debtor: ownParty(account), creditor: world.newExternalParty(rng, firm.country, 'business'),
        device: world.deviceFor(rng, firm), place: firm, purpose: rng.chance(0.5) ? 'Goods' : 'Invoice',
      }),
    });
  }
  return steps;
};

/**
 * A burst of small payments by one person: tapping through transit and parking at the tills near
 * home (4–10 in up to 40 minutes), or buying in an app or game (5–15 of 0.99–9.99 USD at one to
 * three web shops within 15 minutes, on their own device).
 */
const smallBurst: Episode = (ctx) => {
  const { rng, world, time } = ctx;
  const c = world.pickIndividual(rng);
  const account = c.accounts[0] as Account;
  const steps: ScenarioStep[] = [];
  // Transit and parking at home; a traveller buys in an app instead.
  if (rng.chance(0.5) && tripAt(world.seed, c, ctx.now) === undefined) {
    for (const at of spreadOver(ctx, time.minutes(rng.between(5, 40)), rng.int(4, 10))) {
      const merchant = world.usualStoreFor(rng, c);
      steps.push({
        at,
        event: paymentEvent(rng, {
          type: 'card', channel: merchant.sells === 'ecommerce' ? 'ecommerce' : 'pos', amountMinor: usdToMinor(Math.round(rng.between(1, 6) * 100) / 100, account.currency),
          currency: account.currency, debtor: ownParty(account), creditor: merchantParty(merchant), merchant, card: account.card,
          device: world.deviceFor(rng, c), place: c,
        }),
      });
    }
    return steps;
  }
  const shops = Array.from({ length: rng.int(1, 3) }, () => world.webShop(rng));
  const device = world.deviceFor(rng, c);
  for (const at of spreadOver(ctx, time.minutes(rng.between(2, 15)), rng.int(5, 15))) {
    const merchant = rng.pick(shops);
    steps.push({
      at,
      event: paymentEvent(rng, {
        type: 'card', channel: 'ecommerce', amountMinor: usdToMinor(rng.pick([0.99, 1.99, 2.99, 4.99, 9.99]), account.currency),
        currency: account.currency, debtor: ownParty(account), creditor: merchantParty(merchant), merchant, card: account.card,
        device, place: whereabouts(rng, world, c, at),
      }),
    });
  }
  return steps;
};

/**
 * A large one-off payment by a person with history (a rent deposit, a car, a builder): log-normal
 * around 15,000 USD (scaled by their spending) to a new payee, four times in ten after a small
 * test transfer to the same payee, from their own device at home.
 */
const largeOneOff: Episode = (ctx) => {
  const { rng, world, time } = ctx;
  const c = world.pickVictim(rng);
  const account = everydayAccount(rng, c);
  const payee = world.newExternalParty(rng, c.country);
  const channel = rng.chance(0.15) && tripAt(world.seed, c, ctx.now) === undefined ? 'branch' : digitalChannel(rng, c);
  const device = channel === 'branch' ? undefined : world.deviceFor(rng, c);
  const steps: ScenarioStep[] = [];
  let at = ctx.now;
  if (rng.chance(0.4)) {
    steps.push({
      at,
      event: paymentEvent(rng, {
        type: 'transfer', channel, amountMinor: usdToMinor(Math.round(rng.between(1, 50) * 100) / 100, account.currency), currency: account.currency,
        debtor: ownParty(account), creditor: payee, device, place: whereabouts(rng, world, c, at),
      }),
    });
    at += time.minutes(rng.between(3, 60));
  }
  steps.push({
    at,
    event: paymentEvent(rng, {
      type: 'transfer', channel,
      amountMinor: typedAmount(rng, ticket(rng, 15_000, 0.7, account.currency, Math.sqrt(spendOf(c))), account.currency),
      currency: account.currency, debtor: ownParty(account), creditor: payee, device, place: channel === 'branch' ? c : whereabouts(rng, world, c, at),
      purpose: rng.chance(0.6) ? rng.pick(['Deposit', 'Rent', 'Goods', 'Services', 'Repayment']) : undefined,
    }),
  });
  return steps;
};

const EPISODES: Readonly<Record<EpisodeName, Episode>> = { payroll, collections, small_burst: smallBurst, large_one_off: largeOneOff };
/** How often each comes, relative to the others. */
const EPISODE_CHOICE = new WeightedChoice<EpisodeName>([['payroll', 2], ['collections', 2], ['small_burst', 3], ['large_one_off', 3]]);

/** One everyday episode, planned at the context's time: its name and steps (unlabelled). */
export function planEpisode(ctx: PatternContext): { readonly name: EpisodeName; readonly steps: ScenarioStep[] } | undefined {
  const name = EPISODE_CHOICE.pick(ctx.rng);
  const steps = EPISODES[name](ctx);
  return steps === undefined || steps.length === 0 ? undefined : { name, steps };
}
