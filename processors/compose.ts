// The processors as the product runs them: the Redis feature store, the starter fraud rules and
// the segment thresholds, behind the runner. One place, whether they run in the main thread or in
// a thread of their own.
import type { Bus, Config, Logger, Metrics, Redis } from '../core/index.js';
import { createDecider } from './decide/index.js';
import { createFeatureStore } from './features/index.js';
import { createFraudRulesScorer } from './fraud/index.js';
import { createProcessor, type Processor } from './runner.js';
import type { KpiAccumulator } from './telemetry/kpi-accumulator.js';

export type ProcessorDeps = {
  readonly bus: Bus;
  readonly redis: Redis;
  readonly config: Pick<Config, 'dedupTtlSeconds'>;
  readonly metrics: Metrics;
  readonly logger: Logger;
  readonly kpis: KpiAccumulator;
};

export function createProductProcessor(deps: ProcessorDeps): Processor {
  return createProcessor({
    bus: deps.bus,
    features: createFeatureStore(deps.redis, { prefix: deps.bus.names.redisPrefix, dedupTtlSeconds: deps.config.dedupTtlSeconds }),
    decide: createDecider([createFraudRulesScorer()]),
    metrics: deps.metrics,
    logger: deps.logger,
    kpis: deps.kpis,
  });
}
