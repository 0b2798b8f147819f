// A customer's past, for the customers the stream introduces up front: a few payments dated
// before the stream starts, so that "time since last activity" and account age mean something.
// Dormant accounts get their last activity months back; that gap is what reactivation breaks.
import type { PaymentEventWire } from '../../core/contracts/index.js';
import type { Customer } from './customers.js';
import type { Rng } from './rng.js';
import { DAY_MS } from './time.js';
import { cardPayment } from './traffic.js';
import type { World } from './world.js';

export type PastPayment = { readonly ts: number; readonly event: PaymentEventWire };

export function pastPayments(rng: Rng, world: World, c: Customer, now: number): PastPayment[] {
  const dormant = c.dormant;
  const count = dormant ? rng.int(2, 5) : rng.int(0, 3);
  const days: number[] = [];
  for (let i = 0; i < count; i++) days.push(dormant ? rng.between(90, 700) : rng.between(1, 45));
  // Never before the customer joined; oldest first, as a replay would send them.
  const earliest = c.onboardedAt + DAY_MS;
  return days
    .sort((a, b) => b - a)
    .map((d) => Math.max(earliest, Math.floor(now - d * DAY_MS)))
    .filter((ts) => ts < now)
    .map((ts) => ({ ts, event: cardPayment(rng, world, c, ts) }));
}
