// The processors in a worker thread of their own, when they share a process with other roles: the
// decision path then has an event loop (and a core) to itself, and the writer's batches, chDB's
// results, HTTP and the dashboard's sockets no longer sit between an event and its decision. The
// thread opens its own NATS and Redis connections (I/O stays injected: this file is the thread's
// composition root) and sends its metrics to the main thread, which serves them merged.
import { parentPort, workerData } from 'node:worker_threads';
import {
  closeRedis,
  connectBus,
  connectRedis,
  createLogger,
  createMetrics,
  names as namesOf,
  processorsHaveRun,
  publishThreadTid,
  setFxRates,
  watchRedisState,
} from '../../core/index.js';
import { createProductProcessor } from '../compose.js';
import { startKpiPublisher } from '../telemetry/kpi-publisher.js';
import type { ThreadInit, ThreadReport, ThreadRequest } from './thread-messages.js';

const METRICS_EVERY_MS = 1000;

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('processor-thread.js runs as a worker thread only');
  const { config, procId, tidCell } = workerData as ThreadInit;
  publishThreadTid(tidCell);
  const report = (message: ThreadReport): void => port.postMessage(message);
  const logger = createLogger(config.logLevel, undefined, undefined, config.logFormat).child({ role: 'processors', thread: 'processors' });
  setFxRates(config.fxRates);
  const metrics = createMetrics({ processMetrics: false });
  const names = namesOf(config.namespace);

  // the main thread logs NATS's comings and goings; Redis is this thread's alone
  const bus = await connectBus(config.natsUrl, names, 'riskstream:processors-thread');
  const redis = await connectRedis(config.redisUrl, 'riskstream-processors', logger);
  // (the main thread watches too when it has Redis: the first to find the marker gone says so)
  metrics.redisStateLost.inc(0);
  const stopWatching = watchRedisState(redis, config.redisUrl, names.redisPrefix, logger, () => metrics.redisStateLost.inc(), undefined, () => processorsHaveRun(bus));
  const kpis = startKpiPublisher(bus, procId, logger);
  const processor = createProductProcessor({ bus, redis, config, metrics, logger, kpis: kpis.accumulator });
  await processor.start();

  const sendMetrics = async (): Promise<void> => report({ type: 'metrics', snapshot: await metrics.registry.getMetricsAsJSON(), status: processor.status() });
  const timer = setInterval(() => void sendMetrics().catch(() => undefined), METRICS_EVERY_MS);
  report({ type: 'started' });

  port.on('message', (request: ThreadRequest) => {
    if (request.type !== 'drain') return;
    void (async () => {
      clearInterval(timer);
      stopWatching();
      await processor.drain().catch((error: unknown) => logger.error({ err: error }, 'processor drain failed'));
      kpis.flush();
      kpis.stop();
      await sendMetrics().catch(() => undefined);
      bus.publisher.close();
      await bus.nc.drain().catch(() => undefined);
      await closeRedis(redis);
      report({ type: 'drained' });
      port.close();
    })();
  });
}

main().catch((error: unknown) => {
  parentPort?.postMessage({ type: 'failed', message: (error as Error)?.message ?? String(error), name: (error as Error)?.name } satisfies ThreadReport);
});
