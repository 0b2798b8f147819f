// NATS goes away under a running riskstream gateway and simulator (JetStream's store kept, as a
// real server keeps it): ingest answers 503 and retryable within its publish timeout — a batch
// too, never 400, which a client would take for bad input — /healthz names NATS, and once the
// server is back the gateway accepts events again and the simulator carries on, without a restart.
// A server back without its store: streams, consumers and the first users are created again.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { secretsPath } from '../../bin/banner.js';
import { connectBus } from '../../core/index.js';
import { childEnv, createHarness, eventually, payment, type Harness } from '../harness.js';
import { startPrivateNats, type PrivateServer } from '../private-servers.js';
import { startRiskstream, type RiskstreamProcess } from '../process.js';

let h: Harness;
let nats: PrivateServer;
let running: RiskstreamProcess | undefined;

beforeAll(async () => {
  h = await createHarness();
  nats = await startPrivateNats();
});

/** Starts this test's riskstream, after killing one an earlier failed test left running (its handle would be lost). */
async function start(env: Record<string, string>, args: string[]): Promise<RiskstreamProcess> {
  await running?.kill();
  running = await startRiskstream(env, args);
  return running;
}

afterAll(async () => {
  await running?.kill();
  await nats?.cleanup();
  await h?.cleanup();
});

/** Far above the publish timeout (5 s), far below a client's patience: a behaviour, not a benchmark. */
const ANSWER_WITHIN_MS = 15_000;

type Answer = {
  readonly error?: { readonly code: string; readonly retryable: boolean };
  readonly accepted?: number;
  readonly results?: ReadonlyArray<{ readonly code?: string }>;
};

async function post(path: string, body: unknown): Promise<{ status: number; body: Answer }> {
  const response = await fetch(`${running!.baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': h.config.apiKey },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(ANSWER_WITHIN_MS),
  });
  return { status: response.status, body: (await response.json()) as Answer };
}

describe('NATS goes away', () => {
  it('answers 503 and retryable, reports it, and accepts events again once NATS is back', async () => {
    // With the demo's simulator beside the gateway, as `npm start` runs it.
    running = await start({ ...childEnv(h), NATS_URL: nats.url, RISKSTREAM_SIMULATOR_RATE: '50', LOG_LEVEL: 'info' }, ['start', '--roles', 'ingest,simulator']);
    expect((await post('/v1/events', payment('no-before'))).status).toBe(202);

    await nats.stop();
    const single = await post('/v1/events', payment('no-during-1'));
    expect(single.status).toBe(503);
    expect(single.body.error?.code).toBe('RS_ERR_BUS_UNAVAILABLE');
    expect(single.body.error?.retryable).toBe(true);

    const batch = await post('/v1/events:batch', [payment('no-during-2'), payment('no-during-3')]);
    expect(batch.status).toBe(503);
    expect(batch.body.accepted).toBe(0);
    expect(batch.body.results?.map((r) => r.code)).toEqual(['RS_ERR_BUS_UNAVAILABLE', 'RS_ERR_BUS_UNAVAILABLE']);

    const health = await fetch(`${running.baseUrl}/healthz`, { signal: AbortSignal.timeout(ANSWER_WITHIN_MS) });
    expect(health.status).toBe(503);
    const checks = ((await health.json()) as { checks: Record<string, { ok: boolean }> }).checks;
    expect(checks.nats?.ok).toBe(false);

    // Back, with its store: the same process reconnects and the refused events can be sent again.
    await nats.start();
    await eventually(async () => ((await fetch(`${running!.baseUrl}/healthz`)).status === 200 ? true : undefined), 30_000, 'healthy again');
    const again = await post('/v1/events:batch', [payment('no-during-1'), payment('no-during-2'), payment('no-during-3')]);
    expect(again.status).toBe(202);
    expect(again.body.accepted).toBe(3);
    // The outage and the return are in the log, once each.
    const log = running.output();
    expect(log.match(/lost the connection to NATS/g)?.length).toBe(1);
    expect(log.match(/connected to NATS again/g)?.length).toBe(1);

    // The simulator paused during the outage and carries on (it stopped for good at the first
    // failed publish before): the stream keeps growing.
    const bus = await connectBus(nats.url, h.names, 'test-nats-outage');
    try {
      const messages = async (): Promise<number> => (await bus.jsm.streams.info(h.names.streams.events)).state.messages;
      const now = await messages();
      await eventually(async () => ((await messages()) >= now + 20 ? true : undefined), 30_000, 'the simulator to publish again');
    } finally {
      await bus.nc.close();
    }

    const stopped = running.stop();
    const late = new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), ANSWER_WITHIN_MS).unref());
    expect(await Promise.race([stopped, late])).toBe(0);
    running = undefined;
  }, 120_000);

  it('a server that comes back without its store: the streams and consumers are created again, and events are decided again', async () => {
    running = await start({ ...childEnv(h), NATS_URL: nats.url }, ['start', '--roles', 'ingest,processors']);
    expect((await post('/v1/events', payment('nw-before'))).status).toBe(202);

    await nats.stop();
    nats.wipe();
    await nats.start();
    // Within the keeper's round (5 s) the streams are back and the gateway stores events again.
    await eventually(async () => ((await post('/v1/events', payment('nw-after'))).status === 202 ? true : undefined), 30_000, 'events accepted again');
    const health = await fetch(`${running.baseUrl}/healthz`, { signal: AbortSignal.timeout(ANSWER_WITHIN_MS) });
    expect(health.status).toBe(200);

    // The processors' durable consumer is back too: the event is decided (in the decisions stream).
    const bus = await connectBus(nats.url, h.names, 'test-nats-wipe');
    try {
      await eventually(async () => {
        const info = await bus.jsm.streams.info(h.names.streams.decisions);
        if (info.state.messages === 0) return undefined;
        const consumer = await bus.js.consumers.get(h.names.streams.decisions);
        const messages = await consumer.fetch({ max_messages: info.state.messages, expires: 2000 });
        for await (const m of messages) {
          if (m.string().includes('"nw-after"')) return true;
          if (m.info.pending === 0) break;
        }
        return undefined;
      }, 60_000, 'the event sent after the wipe to be decided');
    } finally {
      await bus.nc.close();
    }
    expect(await running.stop()).toBe(0);
    running = undefined;
  }, 120_000);

  it('a server that comes back without its store: the admin from the environment and the demo users are created again', async () => {
    const admin = { username: 'ops-admin', password: 'a-long-admin-password-42' };
    running = await start(
      { ...childEnv(h), NATS_URL: nats.url, RISKSTREAM_ADMIN_USER: admin.username, RISKSTREAM_ADMIN_PASSWORD: admin.password, RISKSTREAM_DEMO_USERS: '1' },
      ['start', '--roles', 'api'],
    );
    expect((await signIn(admin.username, admin.password)).status).toBe(200);
    // the output is a pipe, not a terminal: the passwords are in the data folder's secrets file, not in the output
    expect(running.output()).not.toMatch(/^\s+monitor\s+\S+\s+\(/m);
    // the demo users are made once the server listens (bin/system.ts), a moment after /healthz first answers
    const firstMonitor = await eventually(() => (existsSync(secretsPath(h.dataDir)) ? demoPassword(readFileSync(secretsPath(h.dataDir), 'utf8'), 'monitor') : undefined), 15_000, 'the demo users made');
    expect(firstMonitor).toBeDefined();

    await nats.stop();
    nats.wipe();
    await nats.start();
    // Polled through the bucket, not by signing in: failed sign-ins would lock the user out.
    const bus = await connectBus(nats.url, h.names, 'test-nats-wipe-users');
    try {
      await eventually(async () => {
        const info = await bus.jsm.streams.info(`KV_${h.names.kv.users}`).catch(() => null);
        return info !== null && info.state.messages >= 7 ? true : undefined;
      }, 30_000, 'the users created again');
    } finally {
      await bus.nc.close();
    }
    expect((await signIn(admin.username, admin.password)).status).toBe(200);
    // The demo users have new passwords, printed where the first ones were; the old one no longer opens.
    const output = running.output();
    expect(output).toContain('the demo users were created again');
    const secrets = readFileSync(secretsPath(h.dataDir), 'utf8');
    const secondMonitor = demoPassword(secrets.slice(secrets.indexOf('the demo users created again')), 'monitor');
    expect((statSync(secretsPath(h.dataDir)).mode & 0o777).toString(8)).toBe('600');
    expect(secondMonitor).toBeDefined();
    expect(secondMonitor).not.toBe(firstMonitor);
    expect((await signIn('monitor', secondMonitor!)).status).toBe(200);
    expect(await running.stop()).toBe(0);
    running = undefined;
  }, 120_000);
});

async function signIn(username: string, password: string): Promise<Response> {
  return fetch(`${running!.baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
    signal: AbortSignal.timeout(ANSWER_WITHIN_MS),
  });
}

/** A demo user's password in the secrets file (the first one in `text`). */
function demoPassword(text: string, username: string): string | undefined {
  return new RegExp(`^user ${username} (\\S+) \\(`, 'm').exec(text)?.[1];
}
