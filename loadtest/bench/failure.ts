// How a bench run fails in front of its user: a mistake in how it was called, or a riskstream it
// cannot drive, is said in one line (cli-failure.ts knows BenchError by name and prints no stack);
// a defect keeps its stack.
import { safeUrl, withoutSecretsOf } from '../../core/index.js';

/** A mistake in how bench was called, or a riskstream it cannot drive: printed without a stack. */
export class BenchError extends Error {
  override readonly name = 'BenchError';
}

/**
 * A run cut short by NATS going away (its connection closed, a request unanswered) ends with what
 * happened and what to do, not a stack trace; anything else is passed on as it is.
 */
export function benchFailure(error: unknown, natsUrl: string): unknown {
  const e = error as { name?: string; code?: string; message?: string } | null;
  // nats.js's own error classes, by name
  const lostNats = /^(ClosedConnectionError|DrainingConnectionError|ConnectionError|TimeoutError|NoResponders)$/;
  if (e && lostNats.test(e.name ?? '')) {
    return new BenchError(
      `the run stopped: NATS at ${safeUrl(natsUrl)} went away or stopped answering (${withoutSecretsOf(natsUrl, e.message ?? e.name ?? '')}); its figures are lost. ` +
        'Check that nats-server runs (riskstream doctor), then run the bench again',
    );
  }
  return error;
}
