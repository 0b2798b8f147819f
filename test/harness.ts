// The one shared harness for tests against the real services: an isolated namespace per test
// file (streams, subjects, KV buckets, Redis keys, ClickHouse database), torn down afterwards.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  connectBus,
  connectRedis,
  deleteKeysWithPrefix,
  deleteNamespace,
  ensureStreams,
  loadConfig,
  names as namesOf,
  validateEvent,
  type Bus,
  type Config,
  type Names,
  type Redis,
  type ValidatedEvent,
} from '../core/index.js';
import { EVENT_EXAMPLES } from '../core/contracts/examples.js';

export const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export function uniqueNamespace(tag = 't'): string {
  return `${tag}_${randomBytes(5).toString('hex')}`;
}

export type Harness = {
  readonly namespace: string;
  readonly names: Names;
  readonly bus: Bus;
  readonly redis: Redis;
  readonly dataDir: string;
  readonly config: Config;
  cleanup(): Promise<void>;
};

/** Connects to NATS and Redis with a fresh namespace and creates its streams. */
export async function createHarness(overrides: Record<string, string> = {}): Promise<Harness> {
  const namespace = uniqueNamespace();
  const names = namesOf(namespace);
  const dataDir = mkdtempSync(join(tmpdir(), 'riskstream-test-'));
  const config = loadConfig({
    NATS_URL,
    REDIS_URL,
    RISKSTREAM_NAMESPACE: namespace,
    RISKSTREAM_DATA_DIR: dataDir,
    RISKSTREAM_API_KEY: `test-key-${randomBytes(8).toString('hex')}`,
    RISKSTREAM_SIMULATOR_RATE: '0',
    PORT: '0',
    LOG_LEVEL: 'silent',
    ...overrides,
  });
  const bus = await connectBus(NATS_URL, names, `test:${namespace}`);
  await ensureStreams(bus);
  const redis = await connectRedis(REDIS_URL, `test:${namespace}`);
  return {
    namespace,
    names,
    bus,
    redis,
    dataDir,
    config,
    async cleanup() {
      await deleteNamespace(bus);
      await deleteKeysWithPrefix(redis, names.redisPrefix);
      await bus.nc.close();
      redis.disconnect();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Polls until check() returns a value that is not undefined, or fails after timeoutMs. */
export async function eventually<T>(check: () => Promise<T | undefined> | T | undefined, timeoutMs = 15_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Deletes a durable consumer, as a test does to stand for a server that lost it. NATS 2.9 can fail
 * a delete that races the consumer's own state write ("unlinkat …/obs/NAME: directory not empty",
 * seen in CI), so a failed delete is tried again until the consumer is gone.
 */
export async function deleteConsumer(bus: Bus, stream: string, durable: string): Promise<void> {
  await eventually(async () => {
    if (await bus.jsm.consumers.delete(stream, durable).catch(() => false)) return true;
    return (await bus.jsm.consumers.info(stream, durable).then(() => false, () => true)) || undefined;
  }, 10_000, `consumer ${durable} deleted`);
}

/** The spine issue's example payment (as in docs/events.md), with a fresh id and time. */
export function payment(id: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...structuredClone(EVENT_EXAMPLES.payment[0]!.event), id, ts: new Date().toISOString(), ...overrides };
}

/** An event as the gateway hands it on once validated; a fixture the contract refuses fails the test. */
export function validated(raw: Record<string, unknown>): ValidatedEvent {
  const result = validateEvent(raw);
  if (!result.ok) throw new Error(`fixture: ${JSON.stringify(result.errors)}`);
  return result.event;
}

/** The first customer example with this id, validated. */
export function customerEvent(id: string): ValidatedEvent {
  return validated({ ...EVENT_EXAMPLES.customer[0]!.event, id });
}

/** The environment of a riskstream child process that runs in this harness's namespace. */
export function childEnv(h: Harness): Record<string, string> {
  return {
    NATS_URL: h.config.natsUrl,
    REDIS_URL: h.config.redisUrl,
    RISKSTREAM_NAMESPACE: h.namespace,
    RISKSTREAM_DATA_DIR: h.dataDir,
    RISKSTREAM_API_KEY: h.config.apiKey,
    RISKSTREAM_SIMULATOR_RATE: '0',
  };
}
