// Throughput of the feature store against the real Redis: payments/s for micro-batches of 256.
// Not a test (outside the **/*.test.ts glob). Run from a compiled copy, for example:
//   npx tsc -p tsconfig.build.json --outDir /tmp/rsb --tsBuildInfoFile /tmp/rsb/.tsbuildinfo
//   ln -sf $PWD/package.json $PWD/node_modules /tmp/rsb/ && ln -sfn $PWD/core/reference /tmp/rsb/core/reference
//   node /tmp/rsb/processors/features/feature-store.bench.js [accounts] [warm-up payments] [in flight] [measured payments]
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import type { ValidatedEvent } from '../../core/contracts/index.js';
import { deleteKeysWithPrefix } from '../../core/redis.js';
import { createFeatureStore, type FeatureStore } from './feature-store.js';
import { T0 } from './test-fixtures.js';

const BATCH = 256;
const COUNTRIES = ['US', 'GB', 'DE', 'FR', 'NG', 'AE', 'SG', 'BR'] as const;

/**
 * A deterministic stream: accounts pay each other at 10,000 payments/s of event time, mostly to
 * regular payees, now and then a little late as a partitioned bus delivers. Built lazily, batch by batch, as the runner
 * sees them, so that the heap stays the size a processor's is (a pre-built stream of 100,000
 * events would make the garbage collector dominate the figures).
 */
class PaymentStream {
  private _seed = 42;
  private _next = 0;

  constructor(
    private readonly _accounts: number,
    private readonly _tag: string,
  ) {}

  private _random(): number {
    this._seed = (this._seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return this._seed / 2_147_483_648;
  }

  batch(size: number): ValidatedEvent[] {
    const events: ValidatedEvent[] = [];
    for (let i = 0; i < size; i++) events.push(this._payment(this._next++));
    return events;
  }

  private _payment(k: number): ValidatedEvent {
    const from = Math.floor(this._random() * this._accounts);
    // most payments go to one of five regular payees, the rest anywhere
    const to =
      this._random() < 0.8
        ? (from * 31 + Math.floor(this._random() * 5) * 97 + 1) % this._accounts
        : Math.floor(this._random() * this._accounts);
    const amountMinor = 100 + Math.floor(this._random() * 50_000);
    const body = {
      v: 1,
      kind: 'payment',
      id: `${this._tag}${k}`,
      ts: '',
      type: 'transfer',
      channel: 'mobile',
      amount: (amountMinor / 100).toFixed(2),
      currency: 'USD',
      debtor: { accountId: `ACC${from}`, customerId: `C${from}` },
      creditor: { accountId: `ACC${to}`, country: COUNTRIES[Math.floor(this._random() * COUNTRIES.length)]! },
      device: { id: `dev${from}-${Math.floor(this._random() * 2)}`, ip: `10.0.${from % 250}.${Math.floor(this._random() * 4)}` },
      ...(k % 3 === 0 ? { geo: { lat: 40 + this._random(), lon: -74 + this._random() } } : {}),
    } as const;
    return {
      kind: 'payment',
      id: body.id,
      ts: T0 + Math.floor(k / 10) - Math.floor(this._random() * 2000),
      amountMinor,
      currency: 'USD',
      money: { amount: amountMinor },
      partitionKey: body.debtor.accountId,
      customerId: body.debtor.customerId,
      body,
      labels: undefined,
    };
  }
}

/** Computes `count` payments of the stream in batches of BATCH, `inFlight` batches at a time. */
async function run(store: FeatureStore, batches: readonly ValidatedEvent[][], inFlight: number): Promise<number> {
  const started = process.hrtime.bigint();
  let cursor = 0;
  let payments = 0;
  async function lane(): Promise<void> {
    while (cursor < batches.length) {
      const batch = batches[cursor++]!;
      payments += batch.length;
      await store.computeBatch(batch);
    }
  }
  await Promise.all(Array.from({ length: inFlight }, lane));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return payments / seconds;
}

/** The next `count` payments of the stream, in batches. */
function batchesOf(stream: PaymentStream, count: number): ValidatedEvent[][] {
  const batches: ValidatedEvent[][] = [];
  for (let done = 0; done < count; done += BATCH) batches.push(stream.batch(Math.min(BATCH, count - done)));
  return batches;
}

async function redisCpuSeconds(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  return Number(/used_cpu_user:([\d.]+)/.exec(info)?.[1] ?? 0) + Number(/used_cpu_sys:([\d.]+)/.exec(info)?.[1] ?? 0);
}

/** Calls and microseconds per command (INFO commandstats; commands run by scripts count too). */
async function commandStats(redis: Redis): Promise<Map<string, { calls: number; usec: number }>> {
  const stats = new Map<string, { calls: number; usec: number }>();
  for (const m of (await redis.info('commandstats')).matchAll(/cmdstat_([\w|]+):calls=(\d+),usec=(\d+)/g)) {
    stats.set(m[1]!, { calls: Number(m[2]), usec: Number(m[3]) });
  }
  return stats;
}

/** Per payment: calls and µs of each command between two commandstats snapshots. */
function commandsPerPayment(before: Map<string, { calls: number; usec: number }>, after: Map<string, { calls: number; usec: number }>, payments: number) {
  const out: Record<string, { calls: number; us: number }> = {};
  for (const [name, a] of after) {
    const b = before.get(name) ?? { calls: 0, usec: 0 };
    if (a.calls === b.calls || name === 'info') continue;
    out[name] = { calls: Number(((a.calls - b.calls) / payments).toFixed(2)), us: Number(((a.usec - b.usec) / payments).toFixed(1)) };
  }
  return out;
}

/**
 * Warms up until every account has its keys (steady state), then measures fresh payments, then
 * the same payments again (the idempotent replay path).
 */
async function main(): Promise<void> {
  const accounts = Number(process.argv[2] ?? 10_000);
  const warmPayments = Number(process.argv[3] ?? 100_000);
  const inFlight = Number(process.argv[4] ?? 1);
  const measuredPayments = Number(process.argv[5] ?? 25_600);
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  const prefix = `bench_${randomBytes(4).toString('hex')}:`;
  const store = createFeatureStore(redis, { prefix, dedupTtlSeconds: 600 });
  const stream = new PaymentStream(accounts, randomBytes(3).toString('hex'));
  try {
    // in slices, so that the heap never holds the whole stream
    for (let done = 0; done < warmPayments; done += 10 * BATCH) await run(store, batchesOf(stream, 10 * BATCH), inFlight);
    const measured = batchesOf(stream, measuredPayments);
    const stats0 = await commandStats(redis);
    const redis0 = await redisCpuSeconds(redis);
    const node0 = process.cpuUsage();
    const rate = await run(store, measured, inFlight);
    const node1 = process.cpuUsage(node0);
    const redis1 = await redisCpuSeconds(redis);
    const commands = commandsPerPayment(stats0, await commandStats(redis), measuredPayments);
    // the top-level calls of a payment: the scripts (their inner commands are inside their time)
    // and the profile read (HMGET; the scripts' own HMGETs are counted there too)
    const scriptUs = (commands['evalsha']?.us ?? 0) + (commands['eval']?.us ?? 0);
    const replay = await run(store, measured, inFlight);
    const memory = Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1] ?? 0);
    console.log(
      JSON.stringify({
        accounts,
        measured: measuredPayments,
        batch: BATCH,
        inFlight,
        paymentsPerSecond: Math.round(rate),
        replayPerSecond: Math.round(replay),
        redisCpuUsPerPayment: Number((((redis1 - redis0) * 1e6) / measuredPayments).toFixed(1)),
        redisScriptUsPerPayment: Number(scriptUs.toFixed(1)),
        commandsPerPayment: commands,
        nodeCpuUsPerPayment: Number(((node1.user + node1.system) / measuredPayments).toFixed(1)),
        redisUsedMemoryMb: Math.round(memory / 2 ** 20),
        loadAverage1m: Number(loadavg()[0]!.toFixed(1)),
      }),
    );
  } finally {
    await deleteKeysWithPrefix(redis, prefix);
    await redis.quit();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
