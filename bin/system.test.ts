// startSystem against the real NATS and Redis: a mistake in a setting the dashboard needs is
// refused before anything of the namespace is made (streams reserving storage, Redis keys, the
// ClickHouse database), as a refusal for NATS, Redis or the data folder already was.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, names as namesOf } from '../core/index.js';
import { createHarness, uniqueNamespace, type Harness } from '../test/harness.js';
import { startSystem } from './system.js';

let h: Harness;
let dataDir: string;

beforeAll(async () => {
  h = await createHarness();
  dataDir = mkdtempSync(join(tmpdir(), 'riskstream-system-'));
});

afterAll(async () => {
  await h?.cleanup();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** The streams and KV buckets a namespace has on the server. */
async function streamsOf(namespace: string): Promise<string[]> {
  const found: string[] = [];
  for await (const name of h.bus.jsm.streams.names()) if (name.startsWith(`${namespace.toUpperCase()}_`) || name.startsWith(`KV_${namespace}_`)) found.push(name);
  return found;
}

describe('start - settings of the dashboard', () => {
  it.each([
    { given: 'a short RISKSTREAM_ADMIN_PASSWORD', settings: { adminUser: 'root', adminPassword: 'short' }, refused: /^RISKSTREAM_ADMIN_PASSWORD: the password must be at least 12 characters long$/ },
    { given: 'RISKSTREAM_ADMIN_USER alone', settings: { adminUser: 'root', adminPassword: undefined }, refused: /^set both RISKSTREAM_ADMIN_USER and RISKSTREAM_ADMIN_PASSWORD, or neither$/ },
    { given: 'a malformed RISKSTREAM_SECRETS_KEY', settings: { secretsKey: 'abc' }, refused: /^RISKSTREAM_SECRETS_KEY must be 32 random bytes as base64/ },
  ])('refuses $given before it creates anything in the namespace', async ({ settings, refused }) => {
    const namespace = uniqueNamespace('sys');
    const config = { ...h.config, namespace, dataDir, ...settings };
    await expect(startSystem(config, new Set(['api'] as const), createLogger('silent'))).rejects.toThrow(refused);
    // before: the four streams and four buckets, a Redis key and the ClickHouse database were there
    expect(await streamsOf(namespace)).toEqual([]);
    expect(await h.redis.keys(`${namesOf(namespace).redisPrefix}*`)).toEqual([]);
    expect(existsSync(join(dataDir, 'chdb'))).toBe(false);
    // nor a secrets key in the data folder (the secret box was opened before the admin settings were read)
    expect(existsSync(join(dataDir, 'secrets.key'))).toBe(false);
  });
});

describe('start - demo users', () => {
  it('makes no demo users in a start refused because its port is in use, so the next start makes them and shows their passwords', { timeout: 90_000 }, async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as AddressInfo).port;
    // the harness's namespace and data folder: its cleanup deletes what a start made there
    const config = { ...h.config, host: '127.0.0.1', demoUsers: true };
    try {
      await expect(startSystem({ ...config, port }, new Set(['api'] as const), createLogger('silent'))).rejects.toThrow(/is already in use/);
    } finally {
      await new Promise<void>((resolve) => taken.close(() => resolve()));
    }
    // before: the refused start had made all six, whose passwords nobody was shown; this one made none
    const next = await startSystem({ ...config, port: 0 }, new Set(['api'] as const), createLogger('silent'));
    try {
      expect(next.demoUsers.map((u) => u.username).sort()).toEqual(['admin', 'auditor', 'compliance', 'credit', 'monitor', 'supervisor']);
      expect(next.noDashboardUsers).toBe(false);
    } finally {
      await next.stop();
    }
  });
});
