// The command line as a user meets it: doctor, simulate to a file, and errors that say what to do.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { sourcePath, validateEvent } from '../../core/index.js';
import { NATS_URL, REDIS_URL, uniqueNamespace } from '../harness.js';

const run = promisify(execFile);
const cli = sourcePath('dist', 'bin', 'riskstream.js');
const dataDir = mkdtempSync(join(tmpdir(), 'riskstream-cli-'));

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

async function riskstream(args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [cli, ...args], {
      env: { ...process.env, NATS_URL, REDIS_URL, RISKSTREAM_DATA_DIR: dataDir, RISKSTREAM_NAMESPACE: uniqueNamespace('cli'), LOG_LEVEL: 'silent', ...env },
      timeout: 60_000,
    });
    return { code: 0, out: stdout + stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr };
  }
}

describe('cli - doctor', () => {
  it('reports every service reachable', async () => {
    const { code, out } = await riskstream(['doctor']);
    expect(out).toMatch(/✓ NATS/);
    expect(out).toMatch(/✓ JetStream/);
    expect(out).toMatch(/✓ Redis/);
    expect(out).toMatch(/✓ ClickHouse\s+embedded chDB/);
    expect(code).toBe(0);
  });

  it('says what is wrong and how to fix it', async () => {
    const { code, out } = await riskstream(['doctor'], { NATS_URL: 'nats://127.0.0.1:1', REDIS_URL: 'redis://127.0.0.1:1' });
    expect(code).toBe(1);
    expect(out).toMatch(/✗ NATS\s+NATS is not reachable at nats:\/\/127\.0\.0\.1:1/);
    expect(out).toMatch(/✗ Redis\s+Redis is not reachable at redis:\/\/127\.0\.0\.1:1/);
    expect(out).toMatch(/Fix the lines marked ✗/);
  });
});

describe('cli - simulate and configuration', () => {
  it('writes valid, labelled events as NDJSON, the same for the same seed', async () => {
    const a = join(dataDir, 'a.ndjson');
    const b = join(dataDir, 'b.ndjson');
    const args = ['simulate', '--rate', '5000', '--count', '2000', '--seed', '9', '--start', '2026-11-29T00:00:00Z'];
    expect((await riskstream([...args, '--out', a])).code).toBe(0);
    expect((await riskstream([...args, '--out', b])).code).toBe(0);
    const lines = readFileSync(a, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(2000);
    for (const line of lines) {
      const result = validateEvent(JSON.parse(line));
      expect(result.ok ? true : result.errors).toBe(true);
    }
    expect(readFileSync(b, 'utf8')).toBe(readFileSync(a, 'utf8'));
  });

  it('refuses a bad setting, naming it', async () => {
    const { code, out } = await riskstream(['start'], { RISKSTREAM_NAMESPACE: 'Bad-Name' });
    expect(code).toBe(1);
    expect(out).toMatch(/RISKSTREAM_NAMESPACE=Bad-Name must start with a lower-case letter/);
    const port = await riskstream(['start'], { PORT: 'eighty' });
    expect(port.out).toMatch(/PORT=eighty is not an integer/);
  });

  it('refuses an unknown role, listing the roles', async () => {
    const { code, out } = await riskstream(['start', '--roles', 'ingest,dashboard']);
    expect(code).toBe(1);
    expect(out).toMatch(/unknown role "dashboard"; roles are: ingest, processors, writer, api, simulator/);
  });
});
