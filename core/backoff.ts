// Exponential back-off with jitter for whatever retries a failing service (the writer when ClickHouse
// or NATS refuses, a batch consumer whose handler fails): each failure waits longer (up to a cap),
// the first success resets it.
import { setTimeout as sleep } from 'node:timers/promises';

export type BackoffPolicy = { readonly initialMs: number; readonly maxMs: number };

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 1000, maxMs: 15_000 };

export class Backoff {
  private readonly _policy: BackoffPolicy;
  private _failures = 0;

  constructor(policy: BackoffPolicy) {
    this._policy = policy;
  }

  /** The delay after one more failure: initial × 2^(failures−1), capped, ±20 % so that writers do not retry in step. */
  next(): number {
    this._failures++;
    const base = Math.min(this._policy.maxMs, this._policy.initialMs * 2 ** Math.min(this._failures - 1, 20));
    return Math.round(base * (0.8 + Math.random() * 0.4));
  }

  reset(): void {
    this._failures = 0;
  }
}

/** Waits, or returns early when the signal aborts (the writer is draining). */
export async function pause(ms: number, signal: AbortSignal): Promise<void> {
  await sleep(ms, undefined, { signal }).catch(() => undefined);
}
