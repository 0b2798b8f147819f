// The record of the minutes of each insert is durable: node:fs is wrapped to see which files and
// folders each write syncs, off the event loop (a power cut cannot be made in a test; what is
// synced can be seen).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../core/index.js';
import { InflightMinutes } from './inflight-minutes.js';

/** What each sync since the last look synced: [the call, the path its descriptor was opened on]. */
const synced: Array<[string, string]> = [];
const pathOf = new Map<number, string>();

vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const track = (name: 'fsync' | 'fdatasync') => (fd: number, done: (error: NodeJS.ErrnoException | null) => void) => {
    synced.push([name, pathOf.get(fd) ?? `fd ${fd}`]);
    fs[name](fd, done);
  };
  return {
    ...fs,
    openSync: (path: string, ...rest: unknown[]) => {
      const fd = (fs.openSync as (...a: unknown[]) => number)(path, ...rest);
      pathOf.set(fd, path);
      return fd;
    },
    fsync: track('fsync'),
    fdatasync: track('fdatasync'),
  };
});

const M = 1_800_000_000 - (1_800_000_000 % 60);
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'riskstream-inflight-sync-'));
  synced.length = 0;
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function take(): Array<[string, string]> {
  return synced.splice(0);
}

describe('inflight minutes - durability', () => {
  it('inflight minutes - each write syncs the record; its creation syncs the folders that name it', async () => {
    const dataDir = join(dir, 'data');
    const record = new InflightMinutes(dataDir, 'rs_sync_test', 'events', createLogger('silent'));
    const folder = dirname(record.path);
    await record.beforeInsert([M]);
    // the first write made the data folder and its record folder: each name synced in its parent
    expect(take()).toEqual([
      ['fsync', folder],
      ['fsync', dataDir],
      ['fsync', dir],
      ['fdatasync', record.path],
    ]);
    await record.beforeInsert([M + 60]);
    expect(take()).toEqual([['fdatasync', record.path]]);
    // removed by a clean stop, the record is created again in its folder
    await record.stopped();
    take();
    await record.beforeInsert([M + 120]);
    expect(take()).toEqual([
      ['fsync', folder],
      ['fdatasync', record.path],
    ]);
  });
});
