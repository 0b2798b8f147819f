// The ingest gateway as the HTTP tests build it: the real NATS through the harness, events one per
// message (maxRecords 1) or grouped into envelopes, Fastify inject without a port.
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { createLogger, createMetrics } from '../core/index.js';
import { combineChecks } from '../dashboard/server/health.js';
import { buildServer } from '../dashboard/server/server.js';
import type { Harness } from '../test/harness.js';
import { ingestPlugin, type IngestPluginOptions } from './http.js';
import { DecisionWaiters, createEventPublisher } from './publisher.js';

export type IngestTestApp = { readonly app: FastifyInstance; readonly waiters: DecisionWaiters };

/** Limits and the like for the ingest plugin; `more` registers other plugins beside it. */
export type IngestTestOptions = Partial<Pick<IngestPluginOptions, 'maxEventBytes' | 'maxBatchEvents'>> & {
  readonly more?: readonly FastifyPluginAsync[];
};

export async function ingestTestApp(h: Harness, maxRecords: number, options: IngestTestOptions = {}): Promise<IngestTestApp> {
  const metrics = createMetrics();
  const waiters = new DecisionWaiters(h.bus);
  const grouping = maxRecords > 1 ? { redis: h.redis, maxRecords, seenTtlSeconds: 120, logger: createLogger('silent') } : undefined;
  const publisher = createEventPublisher(h.bus, 4, metrics, grouping);
  const { more = [], ...limits } = options;
  const app = await buildServer({
    logger: createLogger('silent'),
    metrics,
    health: combineChecks({ nats: () => h.bus.nc.flush() }),
    plugins: [
      async (a) => void (await a.register(ingestPlugin, { apiKey: h.config.apiKey, publisher, waiters, decisions: undefined, metrics, ...limits })),
      ...more.map((plugin) => async (a: FastifyInstance) => void (await a.register(plugin))),
    ],
  });
  return { app, waiters };
}
