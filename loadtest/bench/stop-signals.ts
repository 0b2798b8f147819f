// How a bench run ends early: SIGINT (Ctrl-C) or SIGTERM (a CI time-out) stops the sending, and the
// figures so far are still printed (marked partial) and the spawned riskstream cleaned up; a second
// signal is for when that cleanup hangs, so it exits at once and says what it left behind.
import type { Target } from './target.js';

/** The run ended because of a signal: the exit code a shell gives it (128 + the signal's number). */
export const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;
export type StopSignal = keyof typeof SIGNAL_EXIT_CODES;

export type StopSignals = {
  /** Aborted by the first signal: the run stops sending and waiting. */
  readonly signal: AbortSignal;
  stoppedBy(): StopSignal | undefined;
  /** No longer listening: the run is over. */
  dispose(): void;
};

/** Listens for SIGINT and SIGTERM for the length of a run; `target` is what a second signal kills. */
export function watchStopSignals(target: () => Target | undefined): StopSignals {
  const interrupt = new AbortController();
  let stoppedBy: StopSignal | undefined;
  const onSignal = (signal: StopSignal): void => {
    const t = target();
    if (stoppedBy !== undefined) {
      t?.kill();
      process.stderr.write(`\nbench: ${signal} again: exiting now${t?.spawned ? `; namespace ${t.config.namespace} and its data folder ${t.config.dataDir} are left behind (delete them with RISKSTREAM_NAMESPACE=${t.config.namespace} riskstream reset --yes)` : ''}\n`);
      process.exit(SIGNAL_EXIT_CODES[signal]);
    }
    stoppedBy = signal;
    process.stderr.write(`\nbench: ${signal}: stopping the run, printing its figures so far and cleaning up (${signal} again to exit at once)\n`);
    interrupt.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: interrupt.signal,
    stoppedBy: () => stoppedBy,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
