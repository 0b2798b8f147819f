// `riskstream simulate` onto the real NATS: far faster than the product's readers, it waits for
// them rather than have a full stream discard its events.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AckPolicy } from '@nats-io/jetstream';
import { nanos } from '@nats-io/nats-core';
import { ensureStreams, sourcePath, splitEnvelopeText, streamLimitsOf } from '../core/index.js';
import { childEnv, createHarness, eventually, type Harness } from '../test/harness.js';
import { startRefusingIngest } from '../test/refusing-ingest.js';
import { runSimulateCommand, SimulateError } from './simulate.js';

let h: Harness;

beforeAll(async () => {
  h = await createHarness({ RISKSTREAM_STREAM_MAX_MB: '16' });
  await ensureStreams(h.bus, streamLimitsOf(h.config));
});

afterAll(async () => h?.cleanup());

describe('riskstream simulate - onto the bus', () => {
  it('waits while a reader lags by a quarter of a stream, says so, and sends every event once it has caught up', async () => {
    const stream = h.names.streams.events;
    const slow = h.names.consumers.writerEvents;
    await h.bus.jsm.consumers.add(stream, { durable_name: slow, ack_policy: AckPolicy.Explicit, ack_wait: nanos(60_000) });
    // 6 MiB the writer has not read: over a quarter of 16 MiB.
    const block = 'x'.repeat(450 * 1024);
    for (let i = 0; i < 14; i++) await h.bus.js.publish(h.names.eventSubject('payment', 0), block);

    const child = spawn(process.execPath, [sourcePath('dist', 'bin', 'riskstream.js'), 'simulate', '--count', '100', '--rate', '1000', '--seed', '5'], {
      // Without the system's RISKSTREAM_STREAM_MAX_MB (its own default is 2 GiB): a command beside a
      // live system leaves the streams' limits as they are.
      env: { ...process.env, ...childEnv(h), LOG_LEVEL: 'silent' },
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => void (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    await eventually(() => (/simulate: waiting: /.test(stderr) ? true : undefined), 20_000, 'simulate to wait');
    expect(stderr).toMatch(new RegExp(`simulate: waiting: \\d+ MiB of events unread \\(${slow} has not read them yet\\); a full stream would discard them, so the simulator keeps pace with the slowest reader`));
    expect((await h.bus.jsm.streams.info(stream)).state.messages).toBe(14);

    // The writer catches up: the simulator goes on and sends all it was asked to.
    const consumer = await h.bus.js.consumers.get(stream, slow);
    for await (const m of await consumer.fetch({ max_messages: 14, expires: 5000 })) m.ack();
    expect(await exited).toBe(0);
    expect(stderr).toMatch(/simulate: waited \d+ s in all \(1 time\) for the slowest reader/);
    expect(stderr).toMatch(/simulate: 100 events sent/);
    let events = 0;
    for await (const m of await consumer.fetch({ max_messages: 200, expires: 2000 })) {
      events += splitEnvelopeText(m.string()).length;
      m.ack();
    }
    expect(events).toBe(100);
    expect((await h.bus.jsm.streams.info(stream)).config.max_bytes).toBe(16 * 1024 * 1024);
  }, 60_000);
});

describe('ensureStreams - a stream that exists', () => {
  it('gets the running system its limits, and is left as it is by commands beside it', async () => {
    const limits = streamLimitsOf(h.config);
    const events = h.names.streams.events;
    await ensureStreams(h.bus, { ...limits, maxBytes: 32 * 1024 * 1024 }, 'keep');
    expect((await h.bus.jsm.streams.info(events)).config.max_bytes).toBe(16 * 1024 * 1024);
    await ensureStreams(h.bus, { ...limits, maxBytes: 32 * 1024 * 1024 });
    expect((await h.bus.jsm.streams.info(events)).config.max_bytes).toBe(32 * 1024 * 1024);
    await ensureStreams(h.bus, limits);
    expect((await h.bus.jsm.streams.info(events)).config.max_bytes).toBe(16 * 1024 * 1024);
  });
});

describe('riskstream simulate - refusals', () => {
  it('says only why when it cannot send (no key for --url, a --url that is no address): no bank line before it', async () => {
    const written: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (written.push(String(chunk)), true));
    try {
      await expect(runSimulateCommand({ ...h.config, apiKeyGenerated: true }, { rate: 10, seed: 42, count: 1, url: 'http://127.0.0.1:1' })).rejects.toThrow(SimulateError);
      await expect(runSimulateCommand({ ...h.config, apiKeyGenerated: false }, { rate: 10, seed: 42, count: 1, url: '127.0.0.1:1' })).rejects.toThrow(/is not an http\(s\) address/);
    } finally {
      spy.mockRestore();
    }
    // before: 'simulate: a bank of 34,560 customers (seed 42)' above each refusal
    expect(written).toEqual([]);
  });

  it('says what to check when the address refuses a whole batch: a key it does not take (401), no ingest there (404)', async () => {
    const ingest = await startRefusingIngest(401);
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const { url } = ingest;
      const send = () => runSimulateCommand({ ...h.config, apiKeyGenerated: false }, { rate: 10, seed: 42, count: 1, url });
      await expect(send()).rejects.toThrow(/^ingest refused the batch \(401\): .*; RISKSTREAM_API_KEY is not an ingest key of the riskstream there$/);
      ingest.status = 404;
      // before: the 404's body alone, 'no route POST /v1/events:batch'
      await expect(send()).rejects.toThrow(/^ingest refused the batch \(404\): .*; the riskstream there has no ingest role \(give the address of a process started with it\)$/);
    } finally {
      spy.mockRestore();
      await ingest.close();
    }
  });
});
