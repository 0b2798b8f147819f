// GET /healthz (are NATS, Redis and ClickHouse reachable?) and GET /metrics (Prometheus).
import type { FastifyPluginAsync } from 'fastify';
import { mergedMetricsText, type Metrics, type MetricsSnapshot } from '../../core/index.js';

export type DependencyStatus = { readonly ok: boolean; readonly detail?: string };
export type HealthReport = { readonly ok: boolean; readonly checks: Readonly<Record<string, DependencyStatus>> };
export type HealthCheck = () => Promise<HealthReport>;

export type HealthPluginOptions = {
  readonly health: HealthCheck;
  readonly metrics: Metrics;
  /** Metrics of the process's other threads (the processors thread), served merged with these. */
  readonly threadMetrics?: () => readonly MetricsSnapshot[];
};

export const healthPlugin: FastifyPluginAsync<HealthPluginOptions> = async (app, opts) => {
  app.get('/healthz', async function healthz(_request, reply) {
    const report = await opts.health();
    return reply.code(report.ok ? 200 : 503).send({ status: report.ok ? 'ok' : 'unavailable', checks: report.checks });
  });
  app.get('/metrics', async function metrics(_request, reply) {
    const text = await mergedMetricsText(opts.metrics, opts.threadMetrics?.() ?? []);
    return reply.header('content-type', opts.metrics.registry.contentType).send(text);
  });
};

/** Runs the named checks at once, each bounded by a timeout. */
export function combineChecks(checks: Readonly<Record<string, () => Promise<void>>>, timeoutMs = 2000): HealthCheck {
  return async () => {
    const entries = await Promise.all(
      Object.entries(checks).map(async ([name, check]): Promise<[string, DependencyStatus]> => {
        let timer: NodeJS.Timeout | undefined;
        try {
          await Promise.race([
            check(),
            new Promise((_, reject) => {
              timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
            }),
          ]);
          return [name, { ok: true }];
        } catch (error) {
          return [name, { ok: false, detail: (error as Error).message }];
        } finally {
          clearTimeout(timer);
        }
      }),
    );
    return { ok: entries.every(([, s]) => s.ok), checks: Object.fromEntries(entries) };
  };
}
