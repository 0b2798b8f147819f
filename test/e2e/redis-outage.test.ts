// Redis goes away under a running riskstream (ingest and processors, the processors on their
// thread): ingest keeps accepting events at once, /healthz says which service is missing, the
// process stops within seconds, and the events accepted meanwhile are decided once Redis is back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childEnv, createHarness, eventually, payment, type Harness } from '../harness.js';
import { startPrivateRedis, type PrivateServer } from '../private-servers.js';
import { startRiskstream, type RiskstreamProcess } from '../process.js';

let h: Harness;
let redis: PrivateServer;
let running: RiskstreamProcess | undefined;

beforeAll(async () => {
  h = await createHarness();
  redis = await startPrivateRedis();
});

afterAll(async () => {
  await running?.kill();
  await redis?.cleanup();
  await h?.cleanup();
});

/** Event ids of every decision in the namespace's decision stream. */
async function decidedIds(): Promise<Set<string>> {
  const ids = new Set<string>();
  const info = await h.bus.jsm.streams.info(h.names.streams.decisions);
  if (info.state.messages === 0) return ids;
  const consumer = await h.bus.js.consumers.get(h.names.streams.decisions);
  const messages = await consumer.fetch({ max_messages: info.state.messages, expires: 2000 });
  for await (const m of messages) {
    for (const line of m.string().split('\n')) if (line.length > 0) ids.add((JSON.parse(line) as { eventId: string }).eventId);
    if (m.info.pending === 0) break;
  }
  return ids;
}

/**
 * Bounds far above what these take (milliseconds) and far below what they took when every Redis
 * command waited out ioredis's reconnection attempts (30–70 s): a behaviour, not a benchmark.
 */
const ANSWER_WITHIN_MS = 5000;
const STOP_WITHIN_MS = 15_000;

async function post(path: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${running!.baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': h.config.apiKey },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(ANSWER_WITHIN_MS),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('Redis goes away', () => {
  it('keeps accepting events, reports it, stops promptly, and decides the events once Redis is back', async () => {
    const env = { ...childEnv(h), REDIS_URL: redis.url };
    running = await startRiskstream(env, ['start', '--roles', 'ingest,processors']);
    expect((await post('/v1/events', payment('ro-before'))).status).toBe(202);
    await eventually(async () => ((await decidedIds()).has('ro-before') ? true : undefined), 30_000, 'the first decision');

    await redis.stop();
    // Ingest answers without Redis: the events are on the bus (the gateway's duplicate check is skipped).
    const single = await post('/v1/events', payment('ro-during-1'));
    expect(single.status).toBe(202);
    const batch = await post('/v1/events:batch', [payment('ro-during-2'), payment('ro-during-3')]);
    expect(batch.status).toBe(202);
    expect(batch.body.accepted).toBe(2);

    const health = await fetch(`${running.baseUrl}/healthz`, { signal: AbortSignal.timeout(ANSWER_WITHIN_MS) });
    expect(health.status).toBe(503);
    const checks = ((await health.json()) as { checks: Record<string, { ok: boolean; detail?: string }> }).checks;
    expect(checks.redis?.ok).toBe(false);
    // in the operator's words, not the client library's
    expect(checks.redis?.detail).toMatch(/^Redis is not reachable at redis:\/\/127\.0\.0\.1:\d+ \(.*\)\. Start it with `redis-server`/);
    expect(checks.nats?.ok).toBe(true);

    // Stopping does not wait for Redis (it took 30 s and more before); nothing it held is lost.
    const stopped = running.stop();
    const late = new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), STOP_WITHIN_MS).unref());
    expect(await Promise.race([stopped, late])).toBe(0);
    running = undefined;
    const decided = await decidedIds();
    expect(decided.has('ro-during-1') || decided.has('ro-during-2') || decided.has('ro-during-3')).toBe(false);

    await redis.start();
    running = await startRiskstream(env, ['start', '--roles', 'ingest,processors']);
    await eventually(async () => {
      const ids = await decidedIds();
      return ['ro-during-1', 'ro-during-2', 'ro-during-3'].every((id) => ids.has(id)) ? true : undefined;
    }, 60_000, 'the events accepted without Redis to be decided');
    expect(await running.stop()).toBe(0);
    running = undefined;
  }, 150_000);
});
