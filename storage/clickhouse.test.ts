import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createClickHouse, type ClickHouse } from './clickhouse.js';

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
});
