// Publishes a processor's finished KPI seconds on core NATS, shortly after each second ends.
// Fire-and-forget: a lost snapshot is a gap in a live chart, not lost data.
import type { Bus, Logger } from '../../core/index.js';
import { KpiAccumulator } from './kpi-accumulator.js';

/** How long after a second ends its snapshot is sent: late decisions of that second still count. */
const GRACE_MS = 150;

export type KpiPublisher = { readonly accumulator: KpiAccumulator; flush(): void; stop(): void };

export function startKpiPublisher(bus: Bus, procId: string, logger: Logger): KpiPublisher {
  const accumulator = new KpiAccumulator(procId);
  const subject = bus.names.kpiSubject(procId);
  function flush(before: number): void {
    for (const snapshot of accumulator.takeCompleted(before)) {
      try {
        bus.nc.publish(subject, JSON.stringify(snapshot));
      } catch (error) {
        logger.debug({ err: error }, 'KPI snapshot not sent');
      }
    }
  }
  let timer: NodeJS.Timeout | undefined;
  function schedule(): void {
    const now = Date.now();
    timer = setTimeout(() => {
      flush(Date.now() - GRACE_MS);
      schedule();
    }, 1000 - (now % 1000) + GRACE_MS);
    timer.unref();
  }
  schedule();
  return {
    accumulator,
    flush: () => flush(Number.MAX_SAFE_INTEGER),
    stop() {
      clearTimeout(timer);
    },
  };
}
