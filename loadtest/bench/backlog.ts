// Between the suite's runs: a run the system could not keep up with leaves a backlog on the bus,
// and the next run must not start while the processors and the writer are still working it off,
// or each run's figures would carry the one before.
import { connectBus, consumerLag, names as namesOf, type Config } from '../../core/index.js';
import { progressLine } from './report.js';

/**
 * Waits until the processors and the writer have read everything of the run before (every
 * consumer of the namespace's streams; before 2026-12-06 (21:30) only the processors', so the next
 * run shared the CPU with storage catching up), then 3 s more. Gives up after limitMs, saying so;
 * an interrupt stops the wait.
 */
export async function waitForBacklog(config: Config, signal: AbortSignal, limitMs = 300_000): Promise<void> {
  const names = namesOf(config.namespace);
  const bus = await connectBus(config.natsUrl, names, 'riskstream-bench-drain');
  const readers = [
    [names.streams.events, names.consumers.processors, 'processors'],
    [names.streams.events, names.consumers.writerEvents, 'writer (events)'],
    [names.streams.decisions, names.consumers.writerDecisions, 'writer (decisions)'],
    [names.streams.alerts, names.consumers.writerAlerts, 'writer (alerts)'],
  ] as const;
  const deadline = Date.now() + limitMs;
  try {
    while (!signal.aborted) {
      const waiting: string[] = [];
      for (const [stream, consumer, label] of readers) {
        const lag = await consumerLag(bus, stream, consumer);
        if (lag && lag.pending + lag.ackPending > 0) waiting.push(`${label} ${lag.pending + lag.ackPending}`);
      }
      if (waiting.length === 0) break;
      if (Date.now() > deadline) {
        process.stderr.write(`\nbench: still unread after ${limitMs / 1000} s: ${waiting.join(', ')} messages; starting the next run anyway\n`);
        break;
      }
      progressLine(`bench: waiting for the run's backlog before the next: ${waiting.join(', ')} messages`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  } finally {
    await bus.nc.close();
  }
  if (!signal.aborted) await new Promise((r) => setTimeout(r, 3000));
  process.stderr.write('\n');
}
