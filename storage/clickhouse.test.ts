import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
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
  const dataDir = mkdtempSync(join(tmpdir(), 'riskstream-ch-'));
  let ch: ClickHouse | undefined;
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
