// Reconnect delays: exponential from `baseMs` to `maxMs`, with jitter so that a server restart is
// not met by every tab at the same instant.
export type BackoffPolicy = {
  readonly baseMs: number;
  readonly maxMs: number;
  /** Failed attempts in a row after which the status reads "offline" (retries go on at maxMs). */
  readonly offlineAfter: number;
};

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 500, maxMs: 30_000, offlineAfter: 6 };

/** Delay before reconnect attempt `attempt` (0 = the first retry); `random` in [0, 1). */
export function reconnectDelay(policy: BackoffPolicy, attempt: number, random: number): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling * (0.5 + random * 0.5));
}
