import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../core/index.js';
import { createClickHouse, type ClickHouse } from './clickhouse.js';
import { ENGINE_THREAD_NICE } from './engine-threads.js';

/** Name and nice value of every thread of this process (Linux /proc). */
function threads(): Array<{ name: string; nice: number }> {
  return readdirSync('/proc/self/task').map((id) => {
    const name = readFileSync(`/proc/self/task/${id}/comm`, 'utf8').trim();
    // Fields after the parenthesised name: state is field 3, nice is field 19.
    const stat = readFileSync(`/proc/self/task/${id}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { name, nice: Number(fields[16]) };
  });
}

describe('clickhouse - embedded chDB', () => {
  // Made in beforeAll, not as the suite is collected: a run that filters these tests out (-t) skips
  // the hooks, and left the folder behind.
  let dataDir: string;
  let ch: ClickHouse | undefined;
  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'riskstream-ch-'));
  });
  afterAll(async () => {
    await ch?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs queries on one thread, so storage leaves a core to the decision path', async () => {
    ch = await createClickHouse({ dataDir, database: 'chtest' });
    expect(ch.kind).toBe('chdb');
    const result = await ch.client.query({ query: "SELECT getSetting('max_threads') AS t, getSetting('max_insert_threads') AS i", format: 'JSONEachRow' });
    const [row] = await result.json<{ t: number | string; i: number | string }>();
    expect(Number(row!.t)).toBe(1);
    expect(Number(row!.i)).toBe(1);
  });

  it.runIf(process.platform === 'linux')('runs the engine\'s threads at a lower CPU priority than the decision path', async () => {
    ch ??= await createClickHouse({ dataDir, database: 'chtest' });
    await ch.client.query({ query: 'SELECT count() FROM numbers(100000)', format: 'JSONEachRow' });
    const engine = threads().filter((t) => t.name !== 'node');
    expect(engine.length).toBeGreaterThan(0);
    expect(engine.filter((t) => t.nice === ENGINE_THREAD_NICE).length).toBeGreaterThan(0);
    expect(threads().filter((t) => t.name === 'node').every((t) => t.nice === 0)).toBe(true);
  });
});

describe('clickhouse - a server that does not answer', () => {
  // Nothing listens on port 1: the client's first ping fails at once.
  const url = 'http://riskstream:s3cret-pw@127.0.0.1:1';

  it('is one line of riskstream\'s, without the client\'s own console output (a stack) or the password', async () => {
    const lines: string[] = [];
    const logger = createLogger('debug', 'test', { write: (line: string) => void lines.push(line) });
    const console_ = [vi.spyOn(console, 'warn').mockImplementation(() => undefined), vi.spyOn(console, 'error').mockImplementation(() => undefined)];
    try {
      await expect(createClickHouse({ url, dataDir: '/nonexistent', database: 'chtest', logger })).rejects.toThrow(
        /^ClickHouse is not reachable at http:\/\/riskstream:\*\*\*@127\.0\.0\.1:1 \(connect ECONNREFUSED 127\.0\.0\.1:1\)\. Start the server/,
      );
      // without a logger too (the commands that say it their own way)
      await expect(createClickHouse({ url, dataDir: '/nonexistent', database: 'chtest' })).rejects.toThrow(/not reachable/);
      expect(console_.flatMap((spy) => spy.mock.calls)).toEqual([]);
    } finally {
      for (const spy of console_) spy.mockRestore();
    }
    // the client's word on the failed ping is a debug line of riskstream's log, its password masked
    const ping = lines.map((line) => JSON.parse(line) as Record<string, unknown>).find((l) => l.component === 'clickhouse-client');
    expect(ping).toMatchObject({ level: 20, msg: 'Ping: HTTP request error.', error: 'connect ECONNREFUSED 127.0.0.1:1' });
    expect(lines.join('\n')).not.toContain('s3cret-pw');
  });
});
