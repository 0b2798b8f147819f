// The chDB folder lock across processes: a child node process holds or tries the lock.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createClickHouse, type ClickHouse } from './clickhouse.js';
import { acquireDataFolderLock, DataFolderInUseError, DataFolderUnwritableError, LEASE_RENEW_MS, LEASE_STALE_MS, LOCK_FILE } from './data-folder-lock.js';

// The child runs the lock module as plain JavaScript: it imports only Node built-ins, so a
// transpiled copy behaves as the real one (the test runner's TypeScript loader is not needed).
const CHILD = `
import { acquireDataFolderLock } from './data-folder-lock.mjs';
const [folder, mode] = process.argv.slice(2);
try {
  acquireDataFolderLock(folder);
  console.log('acquired');
  if (mode === 'hold') setInterval(() => undefined, 1000);
} catch (error) {
  console.log(error.name + ': ' + error.message);
  process.exit(3);
}
`;

let work: string;
let ch: ClickHouse;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'rs-storage-lock-'));
  const source = readFileSync(new URL('./data-folder-lock.ts', import.meta.url), 'utf8');
  const js = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
  writeFileSync(join(work, 'data-folder-lock.mjs'), js);
  writeFileSync(join(work, 'child.mjs'), CHILD);
  ch = await createClickHouse({ dataDir: join(work, 'data'), database: 'lock_test' });
});

afterAll(async () => {
  await ch.close();
  rmSync(work, { recursive: true, force: true });
});

type Run = { child: ChildProcess; output: Promise<string>; exit: Promise<number | null> };

function runChild(folder: string, mode: 'try' | 'hold'): Run {
  const child = spawn(process.execPath, [join(work, 'child.mjs'), folder, mode], { stdio: ['ignore', 'pipe', 'inherit'] });
  let text = '';
  child.stdout!.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { child, exit, output: exit.then(() => text) };
}

async function firstLine(run: Run): Promise<string> {
  return new Promise((resolve) => {
    run.child.stdout!.once('data', (chunk: Buffer) => resolve(chunk.toString().trim()));
  });
}

describe('data folder lock', () => {
  it('lock - another process cannot open the embedded folder this process holds, and is told why', async () => {
    const run = runChild(join(work, 'data', 'chdb'), 'try');
    expect(await run.exit).toBe(3);
    const output = await run.output;
    expect(output).toContain('DataFolderInUseError');
    expect(output).toContain(`owned by process ${process.pid}`);
    expect(output).toContain('CLICKHOUSE_URL');
  });

  it('lock - this process cannot take a folder another live process holds; it can once that process is killed', async () => {
    const folder = join(work, 'other');
    mkdirSync(folder);
    const holder = runChild(folder, 'hold');
    expect(await firstLine(holder)).toBe('acquired');
    let refused: unknown;
    try {
      acquireDataFolderLock(folder);
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(DataFolderInUseError);
    expect((refused as DataFolderInUseError).ownerPid).toBe(holder.child.pid);

    holder.child.kill('SIGKILL');
    await holder.exit;
    // The lock file is still there, naming a dead process: it is stale and taken over.
    expect(existsSync(join(folder, LOCK_FILE))).toBe(true);
    const lock = acquireDataFolderLock(folder);
    expect(JSON.parse(readFileSync(join(folder, LOCK_FILE), 'utf8')).pid).toBe(process.pid);
    lock.release();
    expect(existsSync(join(folder, LOCK_FILE))).toBe(false);
  });

  it('lock - the same process may open a folder twice; the file goes with the last release', () => {
    const folder = join(work, 'twice');
    mkdirSync(folder);
    const first = acquireDataFolderLock(folder);
    const second = acquireDataFolderLock(folder);
    first.release();
    expect(existsSync(join(folder, LOCK_FILE))).toBe(true);
    second.release();
    second.release();
    expect(existsSync(join(folder, LOCK_FILE))).toBe(false);
  });

  it('lock - an owner on another host holds the folder while it renews the lock, and not after (a container restarted under a new host name)', () => {
    const folder = join(work, 'elsewhere');
    mkdirSync(folder);
    const path = join(folder, LOCK_FILE);
    writeFileSync(path, JSON.stringify({ pid: 4242, host: 'container-a1b2', startTicks: null }));
    expect(() => acquireDataFolderLock(folder)).toThrow(/owned by process 4242 on container-a1b2 \(its lock .*riskstream\.lock was renewed 0 s ago; .*start again in 45 s/);
    const stale = new Date(Date.now() - LEASE_STALE_MS - 1000);
    utimesSync(path, stale, stale);
    const lock = acquireDataFolderLock(folder);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({ pid: process.pid });
    lock.release();
    expect(existsSync(path)).toBe(false);
  });

  it('lock - the holder renews its lock, so that another host sees it held', () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      const folder = join(work, 'renewed');
      mkdirSync(folder);
      const path = join(folder, LOCK_FILE);
      const lock = acquireDataFolderLock(folder);
      const old = new Date(Date.now() - 60_000);
      utimesSync(path, old, old);
      vi.advanceTimersByTime(LEASE_RENEW_MS);
      expect(Date.now() - statSync(path).mtimeMs).toBeLessThan(5000);
      lock.release();
    } finally {
      vi.useRealTimers();
    }
  });

  it('lock - a holder whose lock was taken over says so once, and leaves the new owner\'s lock alone', () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      const folder = join(work, 'taken');
      mkdirSync(folder);
      const path = join(folder, LOCK_FILE);
      const lock = acquireDataFolderLock(folder);
      const theirs = JSON.stringify({ pid: 4343, host: 'elsewhere', startTicks: null });
      writeFileSync(path, theirs);
      vi.advanceTimersByTime(3 * LEASE_RENEW_MS);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0]![0])).toMatch(/now names process 4343 on elsewhere: another riskstream may be writing to the same folder/);
      expect(readFileSync(path, 'utf8')).toBe(theirs);
      lock.release();
      expect(existsSync(path)).toBe(true); // not ours to remove
    } finally {
      warn.mockRestore();
      vi.useRealTimers();
    }
  });

  it('lock - a damaged lock file is treated as stale', () => {
    const folder = join(work, 'damaged');
    mkdirSync(folder);
    writeFileSync(join(folder, LOCK_FILE), '{"pid":');
    const lock = acquireDataFolderLock(folder);
    lock.release();
  });

  it('lock - a folder that cannot be written is named, with what to do, and nothing is left behind', () => {
    const notAFolder = join(work, 'a-file');
    writeFileSync(notAFolder, 'not a folder');
    let error: unknown;
    try {
      acquireDataFolderLock(notAFolder);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DataFolderUnwritableError);
    // the system's reason once, without its code again or the lock's temporary file
    expect((error as Error).message).toBe(`cannot write to the data folder ${notAFolder} (ENOTDIR: not a directory): check that it is writable, or set RISKSTREAM_DATA_DIR to another folder`);
    expect(readdirSync(work).filter((name) => name.includes('.tmp'))).toEqual([]);
  });

  it('lock - closing the client gives the folder up for another process', async () => {
    await ch.close();
    const run = runChild(join(work, 'data', 'chdb'), 'try');
    expect(await run.exit).toBe(0);
    expect(await run.output).toContain('acquired');
  });
});
