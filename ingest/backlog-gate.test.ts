// The gateway's admission control against the real NATS: while a reader of the events stream has
// (or of the decisions or alerts stream) more than half of that stream's limit unread, POSTs are refused with 503 RS_ERR_INGEST_BACKLOG
// and Retry-After, and once it has caught up they are taken again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { AckPolicy } from '@nats-io/jetstream';
import { nanos } from '@nats-io/nats-core';
import { createLogger, createMetrics, ensureStreams, sourcePath, streamLimitsOf, type Metrics } from '../core/index.js';
import { buildServer } from '../dashboard/server/server.js';
import { combineChecks } from '../dashboard/server/health.js';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runReplay } from '../bin/replay.js';
import { runBench } from '../loadtest/bench/run.js';
import { childEnv, createHarness, eventually, payment, type Harness } from '../test/harness.js';
import { BacklogGate } from './backlog-gate.js';
import { ingestPlugin } from './http.js';
import { createEventPublisher, DecisionWaiters } from './publisher.js';

let h: Harness;
let app: FastifyInstance;
let waiters: DecisionWaiters;
let metrics: Metrics;
let gate: BacklogGate;
const lines: Array<Record<string, unknown>> = [];

beforeAll(async () => {
  // The smallest stream allowed: 16 MiB, so the gate shuts at 8 MiB unread.
  h = await createHarness({ RISKSTREAM_STREAM_MAX_MB: '16' });
  await ensureStreams(h.bus, streamLimitsOf(h.config));
  // The writer's consumer, read by hand below: a writer that lags.
  await h.bus.jsm.consumers.add(h.names.streams.events, { durable_name: h.names.consumers.writerEvents, ack_policy: AckPolicy.Explicit, ack_wait: nanos(60_000) });
  metrics = createMetrics();
  const logger = createLogger('info', 'test', { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  gate = new BacklogGate(h.bus, metrics, logger);
  waiters = new DecisionWaiters(h.bus);
  const publisher = createEventPublisher(h.bus, 4, metrics);
  app = await buildServer({
    logger: createLogger('silent'),
    metrics,
    health: combineChecks({ nats: () => h.bus.nc.flush() }),
    plugins: [async (a) => void (await a.register(ingestPlugin, { apiKey: h.config.apiKey, publisher, waiters, decisions: undefined, metrics, gate }))],
  });
});

afterAll(async () => {
  gate?.stop();
  waiters?.close();
  await app?.close();
  await h?.cleanup();
});

function post(url: string, body: string) {
  return app.inject({ method: 'POST', url, payload: body, headers: { 'content-type': 'application/json', 'x-api-key': h.config.apiKey } });
}

async function refusing(): Promise<number> {
  return (await metrics.registry.getSingleMetric('rs_ingest_refusing')!.get()).values[0]!.value;
}

describe('the HTTP gateway while a stream holds too much unread', () => {
  it('takes events while the readers keep up', async () => {
    await gate.look();
    expect(gate.refusing).toBe(false);
    expect((await post('/v1/events', JSON.stringify(payment('gate-before')))).statusCode).toBe(202);
    expect(await refusing()).toBe(0);
  });

  it('refuses single events and batches with 503, Retry-After and the reason once half the stream is unread, and stores nothing', async () => {
    // 9 MiB the writer's consumer has not read: more than half of 16 MiB.
    const block = 'x'.repeat(450 * 1024);
    for (let i = 0; i < 21; i++) await h.bus.js.publish(h.names.eventSubject('payment', 0), block);
    await gate.look();
    expect(gate.refusing).toBe(true);
    expect(await refusing()).toBe(1);
    const stored = (await h.bus.jsm.streams.info(h.names.streams.events)).state.messages;

    const single = await post('/v1/events', JSON.stringify(payment('gate-refused')));
    expect(single.statusCode).toBe(503);
    expect(single.headers['retry-after']).toBe('2');
    const body = single.json<{ error: { code: string; message: string; retryable: boolean; details: { unreadMiB: number; limitMiB: number } } }>();
    expect(body.error).toMatchObject({ code: 'RS_ERR_INGEST_BACKLOG', retryable: true, details: { limitMiB: 16 } });
    expect(body.error.details.unreadMiB).toBeGreaterThanOrEqual(9);
    expect(body.error.message).toMatch(new RegExp(`^riskstream is behind: \\d+ MiB of events are unread \\(${h.names.consumers.writerEvents} has not read them yet\\), \\d+ % of the events stream's limit`));

    const batch = await post('/v1/events:batch', JSON.stringify([payment('gate-b1'), payment('gate-b2')]));
    expect(batch.statusCode).toBe(503);
    expect(batch.json<{ error: { code: string } }>().error.code).toBe('RS_ERR_INGEST_BACKLOG');
    expect((await h.bus.jsm.streams.info(h.names.streams.events)).state.messages).toBe(stored);

    const warned = lines.find((l) => l.level === 40);
    expect(warned?.msg).toMatch(/^the HTTP gateway refuses new events \(503 RS_ERR_INGEST_BACKLOG\)/);
    const rejected = (await metrics.registry.getMetricsAsJSON()).find((m) => m.name === 'rs_events_rejected_total')?.values;
    expect(rejected).toContainEqual(expect.objectContaining({ labels: { code: 'RS_ERR_INGEST_BACKLOG' }, value: 2 }));
  });

  it('stays shut until the reader is down to three eighths, then takes events again', async () => {
    const consumer = await h.bus.js.consumers.get(h.names.streams.events, h.names.consumers.writerEvents);
    // 4 of the 22 unread read: 17 × 450 KiB ≈ 7.5 MiB left, under half but over three eighths.
    for await (const m of await consumer.fetch({ max_messages: 4, expires: 2000 })) m.ack();
    await h.bus.nc.flush();
    await gate.look();
    expect(gate.refusing).toBe(true);
    // Down to ≈ 5.3 MiB: a third.
    for await (const m of await consumer.fetch({ max_messages: 5, expires: 2000 })) m.ack();
    await h.bus.nc.flush();
    await gate.look();
    expect(gate.refusing).toBe(false);
    expect(await refusing()).toBe(0);
    expect((await post('/v1/events', JSON.stringify(payment('gate-after')))).statusCode).toBe(202);
    expect(lines.find((l) => l.level === 30 && String(l.msg).startsWith('the HTTP gateway takes new events again'))).toBeDefined();
  });

  it('makes `riskstream replay --url` wait and send the same events again once the gateway takes them', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'riskstream-gate-'));
    const block = 'x'.repeat(450 * 1024);
    for (let i = 0; i < 8; i++) await h.bus.js.publish(h.names.eventSubject('payment', 0), block);
    await gate.look();
    expect(gate.refusing).toBe(true);
    gate.start();
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const path = join(folder, 'three.ndjson');
      writeFileSync(path, ['r1', 'r2', 'r3'].map((id) => JSON.stringify(payment(`gate-${id}`))).join('\n') + '\n');
      const reports: string[] = [];
      const replay = runReplay(h.config, { file: path, url }, { progress: () => undefined, report: (line) => void reports.push(line) });
      await eventually(() => reports.find((l) => l.startsWith('replay: waiting: ')), 20_000, 'the replay to wait');
      expect(reports.find((l) => l.startsWith('replay: waiting: '))).toMatch(
        new RegExp(`^replay: waiting: ${url.replace(/[.]/g, '\\.')} refuses events for now \\(riskstream is behind: .*\\); the replay sends them again once it takes them$`),
      );
      // The writer catches up: the gate opens within a look, and the replay goes on.
      const consumer = await h.bus.js.consumers.get(h.names.streams.events, h.names.consumers.writerEvents);
      const unread = (await h.bus.jsm.consumers.info(h.names.streams.events, h.names.consumers.writerEvents)).num_pending;
      for await (const m of await consumer.fetch({ max_messages: unread, expires: 5000 })) m.ack();
      expect(await replay).toMatchObject({ sent: 3, refused: 0 });
      expect(reports.find((l) => l.startsWith('replay: waited '))).toMatch(/^replay: waited \d+ s in all for http:\/\/127\.0\.0\.1:\d+ to take events again$/);
      const ids: string[] = [];
      for await (const m of await consumer.fetch({ max_messages: 10, expires: 2000 })) {
        ids.push(...m.string().split('\n').map((line) => (JSON.parse(line) as { id: string }).id));
        m.ack();
      }
      expect(ids).toEqual(['gate-r1', 'gate-r2', 'gate-r3']);
    } finally {
      gate.stop();
      rmSync(folder, { recursive: true, force: true });
    }
  }, 60_000);

  it('makes `riskstream simulate --url` wait too, and send every event once the gateway takes them', async () => {
    const block = 'x'.repeat(450 * 1024);
    for (let i = 0; i < 24; i++) await h.bus.js.publish(h.names.eventSubject('payment', 0), block);
    await gate.look();
    expect(gate.refusing).toBe(true);
    gate.start();
    const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
    try {
      const child = spawn(process.execPath, [sourcePath('dist', 'bin', 'riskstream.js'), 'simulate', '--url', url, '--count', '40', '--rate', '200', '--seed', '3'], {
        env: { ...process.env, ...childEnv(h), LOG_LEVEL: 'silent' },
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => void (stderr += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      await eventually(() => (/refuses events for now/.test(stderr) ? true : undefined), 20_000, 'simulate to wait');
      expect(stderr).toMatch(new RegExp(`simulate: ${url.replace(/[.]/g, '\\.')} refuses events for now \\(riskstream is behind: .*\\); waiting`));
      const before = (await h.bus.jsm.consumers.info(h.names.streams.events, h.names.consumers.writerEvents)).num_pending;
      const consumer = await h.bus.js.consumers.get(h.names.streams.events, h.names.consumers.writerEvents);
      for await (const m of await consumer.fetch({ max_messages: before, expires: 5000 })) m.ack();
      expect(await exited).toBe(0);
      expect(stderr).toMatch(/simulate: 40 events sent/);
      let events = 0;
      for await (const m of await consumer.fetch({ max_messages: 100, expires: 2000 })) {
        events += m.string().split('\n').length;
        m.ack();
      }
      expect(events).toBe(40);
    } finally {
      gate.stop();
    }
  }, 60_000);

  it('refuses too while the writer is half the decisions stream behind: the decisions of accepted events would be dropped', async () => {
    const durable = h.names.consumers.writerDecisions;
    await h.bus.jsm.consumers.add(h.names.streams.decisions, { durable_name: durable, ack_policy: AckPolicy.Explicit, ack_wait: nanos(60_000) });
    await gate.look();
    expect(gate.refusing).toBe(false);
    const block = 'x'.repeat(450 * 1024);
    for (let i = 0; i < 24; i++) await h.bus.js.publish(h.names.decisionSubject('payment'), block);
    await gate.look();
    expect(gate.refusing).toBe(true);
    const refused = await post('/v1/events', JSON.stringify(payment('gate-decisions')));
    expect(refused.statusCode).toBe(503);
    expect(refused.json<{ error: { message: string } }>().error.message).toMatch(
      new RegExp(`^riskstream is behind: \\d+ MiB of decisions are unread \\(${durable} has not read them yet\\), \\d+ % of the decisions stream's limit`),
    );
    const consumer = await h.bus.js.consumers.get(h.names.streams.decisions, durable);
    for await (const m of await consumer.fetch({ max_messages: 24, expires: 5000 })) m.ack();
    await h.bus.nc.flush();
    await gate.look();
    expect(gate.refusing).toBe(false);
  });

  it('admits again when its last look is too old (NATS not answering): the publish then says what is wrong', async () => {
    const quick = new BacklogGate(h.bus, createMetrics(), createLogger('silent'), { staleMs: 200 });
    const block = 'x'.repeat(450 * 1024);
    // Unread bytes are estimated from the stream's average message: start from an empty stream.
    await h.bus.jsm.streams.purge(h.names.streams.events);
    for (let i = 0; i < 24; i++) await h.bus.js.publish(h.names.eventSubject('payment', 0), block);
    await quick.look();
    expect(quick.refusing).toBe(true);
    expect(() => quick.check()).toThrow(/^riskstream is behind: /);
    await new Promise((r) => setTimeout(r, 300));
    expect(quick.refusing).toBe(false);
    expect(() => quick.check()).not.toThrow();
    const consumer = await h.bus.js.consumers.get(h.names.streams.events, h.names.consumers.writerEvents);
    const unread = (await h.bus.jsm.consumers.info(h.names.streams.events, h.names.consumers.writerEvents)).num_pending;
    for await (const m of await consumer.fetch({ max_messages: unread, expires: 5000 })) m.ack();
  });

  it('shows in `riskstream bench` why events were refused', async () => {
    await h.bus.jsm.streams.purge(h.names.streams.events);
    const block = 'x'.repeat(450 * 1024);
    for (let i = 0; i < 24; i++) await h.bus.js.publish(h.names.eventSubject('payment', 0), block);
    await gate.look();
    expect(gate.refusing).toBe(true);
    const baseUrl = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
    const common = { rate: 40, durationS: 1, natsUrl: h.config.natsUrl, namespace: h.namespace, partitions: 4, baseUrl, apiKey: h.config.apiKey, graceS: 0, drainS: 0, batchSize: 10, httpConnections: 4, seed: 1 };
    const single = await runBench({ ...common, via: 'http' });
    expect(single).toMatchObject({ sent: 40, accepted: 0, refused: 40, refusedWhy: { '503 RS_ERR_INGEST_BACKLOG': 40 } });
    const batches = await runBench({ ...common, via: 'http-batch' });
    expect(batches).toMatchObject({ sent: 40, accepted: 0, refused: 40, refusedWhy: { '503 RS_ERR_INGEST_BACKLOG': 40 } });
    const consumer = await h.bus.js.consumers.get(h.names.streams.events, h.names.consumers.writerEvents);
    const unread = (await h.bus.jsm.consumers.info(h.names.streams.events, h.names.consumers.writerEvents)).num_pending;
    for await (const m of await consumer.fetch({ max_messages: unread, expires: 5000 })) m.ack();
  });
});
