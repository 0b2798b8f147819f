// A customer's past, for the customers the stream introduces up front: a few payments dated
// before the stream starts, so that "time since last activity" and account age mean something.
// Dormant accounts get their last activity months back; that gap is what reactivation breaks.
// Before it they were used as accounts are (days to weeks between payments), then left: until
// 2026-12-07 their payments were scattered over two years, so nine dormant histories in ten held
// a silence of 90 days or more followed by another payment of their own, which FR-DORMANT read
// as a reactivation on traffic that is not one.
import type { PaymentEventWire } from '../../core/contracts/index.js';
import type { Customer } from './customers.js';
import type { Rng } from './rng.js';
import { DAY_MS } from './time.js';
import { cardPayment } from './traffic.js';
import type { World } from './world.js';

/** Longest pause between two payments of a dormant account's history, before it fell silent. */
export const DORMANT_MAX_GAP_DAYS = 30;

export type PastPayment = { readonly ts: number; readonly event: PaymentEventWire };

export function pastPayments(rng: Rng, world: World, c: Customer, now: number): PastPayment[] {
  const dormant = c.dormant;
  const count = dormant ? rng.int(2, 5) : rng.int(0, 3);
  const days: number[] = [];
  if (dormant) {
    // The last payment 90–700 days back, each earlier one 1–30 days before the next (one draw
    // per payment, as when each was drawn on its own).
    let back = rng.between(90, 700);
    for (let i = 0; i < count; i++) {
      if (i > 0) back += rng.between(1, DORMANT_MAX_GAP_DAYS);
      days.push(back);
    }
  } else {
    for (let i = 0; i < count; i++) days.push(rng.between(1, 45));
  }
  // Never before the customer joined; oldest first, as a replay would send them.
  const earliest = c.onboardedAt + DAY_MS;
  return days
    .sort((a, b) => b - a)
    .map((d) => Math.max(earliest, Math.floor(now - d * DAY_MS)))
    .filter((ts) => ts < now)
    .map((ts) => ({ ts, event: cardPayment(rng, world, c, ts) }));
}
