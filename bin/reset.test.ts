// `riskstream reset` against the real NATS, Redis and chDB of a test namespace: it lists without
// --yes, refuses while a process of the namespace sends heartbeats, and with --yes deletes the
// namespace's streams, buckets, Redis keys and ClickHouse database — and nothing of another one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../test/harness.js';
import { createClickHouse, migrate } from '../storage/index.js';
import { selectRows } from '../storage/sql.js';
import { inflightPath } from '../storage/writer/inflight-minutes.js';
import { LOCK_FILE } from '../storage/data-folder-lock.js';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { demoSeed, demoStartsPath } from '../ingest/simulator/demo-seed.js';
import { SECRETS_KEY_FILE } from '../dashboard/server/auth/index.js';
import { demoApiKeyPath, secretsPath } from './banner.js';
import { ResetRefusedError, runReset } from './reset.js';

let h: Harness;
let other: Harness;

beforeAll(async () => {
  h = await createHarness();
  other = await createHarness();
  const ch = await createClickHouse({ dataDir: h.dataDir, database: h.names.database, url: undefined });
  try {
    await migrate(ch.client, { database: h.names.database, retentionDays: 30 });
  } finally {
    await ch.close();
  }
  await h.redis.set(`${h.names.redisPrefix}{a:ACC-1}:s`, 'state');
  await h.redis.set(`${h.names.redisPrefix}sess:abc`, 'session');
  await other.redis.set(`${other.names.redisPrefix}{a:ACC-1}:s`, 'another namespace');
  // the data folder's files of the namespace (a demo that ran in it), of another namespace that
  // used the same folder, and of the folder itself
  writeFileSync(
    secretsPath(h.dataDir),
    [
      'user admin pw-Older-000000 (admin)',
      `# riskstream 2026-12-01T00:00:00.000Z namespace ${h.namespace}: the demo users this start created (pid 1)`,
      'user admin pw-Mine-111111 (admin)',
      '# riskstream 2026-12-02T00:00:00.000Z namespace other_ns: the demo users this start created (pid 2)',
      'user admin pw-Other-222222 (admin)',
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  demoSeed(42, false, h.dataDir, h.namespace);
  demoSeed(42, false, h.dataDir, 'other_ns');
  writeFileSync(join(h.dataDir, SECRETS_KEY_FILE), 'a key\n');
  writeFileSync(demoApiKeyPath(h.dataDir), 'rsk_a-key-of-the-folder-0123\n');
}, 60_000);

afterAll(async () => {
  await h?.cleanup();
  await other?.cleanup();
});

function capture(): { out: (line: string) => void; lines: string[] } {
  const lines: string[] = [];
  return { out: (line) => void lines.push(line), lines };
}

async function databases(): Promise<string[]> {
  const ch = await createClickHouse({ dataDir: h.dataDir, database: 'default', url: undefined });
  try {
    return (await selectRows<{ name: string }>(ch.client, 'SELECT name FROM system.databases', {})).map((r) => r.name);
  } finally {
    await ch.close();
  }
}

describe('riskstream reset', () => {
  it('without --yes lists what the namespace keeps and deletes nothing', async () => {
    const { out, lines } = capture();
    await runReset(h.config, { yes: false, listenMs: 300 }, out);
    const text = lines.join('\n');
    expect(text).toContain(`namespace "${h.namespace}"`);
    expect(text).toContain(h.names.streams.events);
    expect(text).toMatch(/2 keys under/);
    expect(text).toMatch(new RegExp(`database "${h.names.database}" \\(\\d+ tables and views\\)`));
    expect(text).toContain(`data folder ${h.dataDir}: demo users' passwords in demo-credentials.txt (2 starts), the simulator's start count (simulator-starts.${h.namespace})`);
    expect(text).toMatch(/stays: secrets\.key \(seals second factors[^)]*\) and demo-api-key \(the folder's demo ingest key; delete it for a new one\): the data folder's, for every namespace that uses it/);
    expect(text).toMatch(/Nothing deleted\. Run `riskstream reset --yes`/);
    expect(await h.bus.jsm.streams.info(h.names.streams.events)).toBeTruthy();
    expect(await h.redis.exists(`${h.names.redisPrefix}sess:abc`)).toBe(1);
  });

  it('refuses while a process of the namespace sends heartbeats, naming it', async () => {
    const beat = setInterval(() => h.bus.nc.publish(h.names.healthSubject('host-4242-abc'), '{}'), 100);
    try {
      await expect(runReset(h.config, { yes: true, listenMs: 2000 }, () => undefined)).rejects.toThrow(ResetRefusedError);
      await expect(runReset(h.config, { yes: true, listenMs: 2000 }, () => undefined)).rejects.toThrow(/is running \(host-4242-abc\): stop every process/);
      // listing is harmless meanwhile: it lists, and says what to do before deleting
      const { out, lines } = capture();
      await runReset(h.config, { yes: false, listenMs: 2000 }, out);
      expect(lines.join('\n')).toContain(h.names.streams.events);
      expect(lines.at(-1)).toMatch(/^Nothing deleted\. A process of the namespace is running \(host-4242-abc\): stop every process of the namespace, then run `riskstream reset --yes`/);
    } finally {
      clearInterval(beat);
    }
    expect(await h.bus.jsm.streams.info(h.names.streams.events)).toBeTruthy();
  });

  it('names every process of the namespace that runs, not the first heard alone', async () => {
    const beat = setInterval(() => {
      for (const id of ['host-4343-def', 'host-4242-abc']) h.bus.nc.publish(h.names.healthSubject(id), '{}');
    }, 100);
    try {
      await expect(runReset(h.config, { yes: true, listenMs: 1000 }, () => undefined)).rejects.toThrow(
        new ResetRefusedError(`2 riskstream processes of namespace "${h.namespace}" are running (host-4242-abc, host-4343-def): stop every process of the namespace, then run reset again`),
      );
      const { out, lines } = capture();
      await runReset(h.config, { yes: false, listenMs: 1000 }, out);
      expect(lines.at(-1)).toMatch(/^Nothing deleted\. 2 processes of the namespace are running \(host-4242-abc, host-4343-def\): stop every process/);
    } finally {
      clearInterval(beat);
    }
  });

  it('lists, and refuses to delete, while a process of no heartbeat of the namespace holds the embedded folder (another namespace on it)', async () => {
    // a riskstream of another namespace, on another host, holding the folder and renewing its lock
    const lock = join(h.dataDir, 'chdb', LOCK_FILE);
    writeFileSync(lock, JSON.stringify({ pid: 4242, host: 'container-a1b2', startTicks: null }));
    try {
      const { out, lines } = capture();
      await runReset(h.config, { yes: false, listenMs: 300 }, out);
      // before, listing failed too, with start's advice to set CLICKHOUSE_URL
      expect(lines).toContain(`  ClickHouse embedded chDB in ${h.dataDir}: not read: process 4242 holds the folder`);
      expect(lines.at(-1)).toMatch(/^Nothing deleted\. Process 4242 holds the data folder \(a riskstream of another namespace\?\): stop it, then run `riskstream reset --yes`/);
      await expect(runReset(h.config, { yes: true, listenMs: 300 }, () => undefined)).rejects.toThrow(
        new ResetRefusedError(
          `the embedded ClickHouse data folder ${h.dataDir} is held by process 4242, which is not of namespace "${h.namespace}" ` +
            '(a riskstream of another namespace on the same RISKSTREAM_DATA_DIR?): stop it, then run reset --yes again; nothing was deleted',
        ),
      );
    } finally {
      rmSync(lock, { force: true });
    }
    expect(await h.bus.jsm.streams.info(h.names.streams.events)).toBeTruthy();
    expect(await h.redis.exists(`${h.names.redisPrefix}sess:abc`)).toBe(1);
  });

  it('with --yes deletes the streams, buckets, keys and database of the namespace, and only those', async () => {
    expect(await databases()).toContain(h.names.database);
    // the writer's record of its last inserts' minutes goes with the database
    const record = inflightPath(h.config.dataDir, h.names.database, 'events');
    mkdirSync(dirname(record), { recursive: true });
    writeFileSync(record, 'a record\n');
    const { out, lines } = capture();
    await runReset(h.config, { yes: true, listenMs: 300 }, out);
    expect(existsSync(record)).toBe(false);
    expect(lines[lines.length - 1]).toMatch(/^Deleted \d+ streams and buckets, 2 Redis keys, the ClickHouse database "[^"]+", and from the data folder demo users' passwords in demo-credentials\.txt \(2 starts\), the simulator's start count \([^)]+\), the writer's record of its last inserts \(writer-inflight\/\)\.$/);
    // the passwords of the users just deleted go (and an older block naming no namespace with
    // them); another namespace's stay, in a file still its owner's alone
    expect(readFileSync(secretsPath(h.dataDir), 'utf8')).toBe('# riskstream 2026-12-02T00:00:00.000Z namespace other_ns: the demo users this start created (pid 2)\nuser admin pw-Other-222222 (admin)\n');
    expect(statSync(secretsPath(h.dataDir)).mode & 0o777).toBe(0o600);
    // its next start is a first one (the default seed); the other namespace counts on
    expect(existsSync(demoStartsPath(h.dataDir, h.namespace))).toBe(false);
    expect(demoSeed(42, false, h.dataDir, 'other_ns')).toBe(43);
    // the folder's own files stay
    expect(existsSync(join(h.dataDir, SECRETS_KEY_FILE))).toBe(true);
    expect(existsSync(demoApiKeyPath(h.dataDir))).toBe(true);
    await expect(h.bus.jsm.streams.info(h.names.streams.events)).rejects.toThrow();
    expect(await h.redis.exists(`${h.names.redisPrefix}sess:abc`, `${h.names.redisPrefix}{a:ACC-1}:s`)).toBe(0);
    expect(await databases()).not.toContain(h.names.database);
    // another namespace on the same servers is untouched
    expect(await other.bus.jsm.streams.info(other.names.streams.events)).toBeTruthy();
    expect(await other.redis.get(`${other.names.redisPrefix}{a:ACC-1}:s`)).toBe('another namespace');

    // and a second reset finds nothing left
    const again = capture();
    await runReset(h.config, { yes: false, listenMs: 300 }, again.out);
    expect(again.lines.join('\n')).toMatch(/no streams or buckets[\s\S]*0 keys under[\s\S]*no database[\s\S]*data folder [^:]+: nothing of the namespace/);
  });
});
