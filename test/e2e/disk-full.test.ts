// Starting on a disk that is nearly full, then full, as a user meets it: a warning naming the data
// folder's disk; then one line naming it and what to do, no stack, and nothing left behind in the
// folder. The disk is a 64 MiB tmpfs, which needs root (mount): where mounting is not permitted the
// tests are skipped and say why.
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { sourcePath } from '../../core/index.js';
import { demoApiKey } from '../../bin/banner.js';
import { NATS_URL, REDIS_URL, childEnv, createHarness, payment, uniqueNamespace, type Harness } from '../harness.js';
import { startRiskstream } from '../process.js';

vi.setConfig({ testTimeout: 90_000 });

const run = promisify(execFile);
const cli = sourcePath('dist', 'bin', 'riskstream.js');

let h: Harness;
let mountPoint = '';
let mounted = false;
let notMounted = '';
/** A demo data folder with its key, made while the disk had room. */
let demoDir = '';
let demoKey = '';

beforeAll(async () => {
  h = await createHarness();
  mountPoint = mkdtempSync(join(tmpdir(), 'riskstream-disk-full-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64M', 'tmpfs', mountPoint], { stdio: 'pipe' });
    mounted = true;
    demoDir = join(mountPoint, 'demo');
    demoKey = demoApiKey(demoDir);
  } catch (error) {
    notMounted = String((error as { stderr?: Buffer }).stderr ?? (error as Error).message).trim();
  }
});

afterAll(async () => {
  if (mounted) execFileSync('umount', [mountPoint]);
  rmSync(mountPoint, { recursive: true, force: true });
  await h.cleanup();
});

/** Fills the disk to the last byte, as a disk that other files took. */
function fill(): void {
  try {
    for (let i = 0; ; i++) writeFileSync(join(mountPoint, `filler-${i}`), Buffer.alloc(1024 * 1024));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  }
  try {
    writeFileSync(join(mountPoint, 'filler-last'), Buffer.alloc(4096));
    for (let i = 0; ; i++) writeFileSync(join(mountPoint, `filler-last-${i}`), Buffer.alloc(4096));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  }
}

describe('start on a disk nearly full, then full', () => {
  it('under 1 GiB free: riskstream starts and warns, naming the data folder and its free space', async (context) => {
    if (!mounted) context.skip(`cannot mount a 64 MiB tmpfs to fill (needs root): ${notMounted}`);
    const dataDir = join(mountPoint, 'kept');
    const rs = await startRiskstream({ ...childEnv(h), RISKSTREAM_DATA_DIR: dataDir, LOG_LEVEL: 'warn' });
    try {
      expect(rs.output()).toMatch(new RegExp(`"msg":"the disk of the data folder ${dataDir} is nearly full \\(\\d+ MiB free of 64 MiB\\): once it is full, nothing more is stored`));
    } finally {
      expect(await rs.stop()).toBe(0);
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('a new data folder there: one line naming the disk and what to do, and no file left half-made', async (context) => {
    if (!mounted) context.skip(`cannot mount a 64 MiB tmpfs to fill (needs root): ${notMounted}`);
    fill();
    const dataDir = join(mountPoint, 'data');
    mkdirSync(dataDir);
    const env: Record<string, string | undefined> = { ...process.env, NATS_URL, REDIS_URL, RISKSTREAM_DATA_DIR: dataDir, RISKSTREAM_NAMESPACE: uniqueNamespace('full'), LOG_LEVEL: 'silent', PORT: '0' };
    delete env.RISKSTREAM_API_KEY; // demo mode: the start writes the folder's key first
    const failed = await run(process.execPath, [cli, 'start'], { env, timeout: 50_000 }).then(
      () => null,
      (error: unknown) => error as { code: number; stdout: string; stderr: string },
    );
    expect(failed).not.toBeNull();
    expect(failed!.code).toBe(1);
    const lines = failed!.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      new RegExp(
        `^riskstream: no space left on the disk of the data folder ${dataDir} \\(0 B free of 64 MiB\\) while riskstream was starting \\(ENOSPC: no space left on device, write\\): ` +
          'free space there, or set RISKSTREAM_DATA_DIR to a folder on a disk with room, then start again\\. Nothing was taken from the streams\\.$',
      ),
    );
    // The key's file aside, created before the write that failed, is removed: not one per failed start.
    expect(readdirSync(dataDir)).toEqual([]);
  });

  it('demo mode, a data folder whose key is there: the roles that need no data folder start and decide', async (context) => {
    if (!mounted) context.skip(`cannot mount a 64 MiB tmpfs to fill (needs root): ${notMounted}`);
    fill();
    const env: Record<string, string> = { ...childEnv(h), RISKSTREAM_DATA_DIR: demoDir };
    delete env.RISKSTREAM_API_KEY;
    const rs = await startRiskstream(env, ['start', '--roles', 'ingest,processors']);
    try {
      const response = await fetch(`${rs.baseUrl}/v1/events?wait=decision&timeoutMs=5000`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': demoKey },
        body: JSON.stringify(payment('disk-full-1')),
      });
      expect(response.status).toBe(200);
      expect(((await response.json()) as { status: string }).status).toBe('decided');
    } finally {
      expect(await rs.stop()).toBe(0);
    }
  });
});
