// The data folder's disk space: how it is read and said, and when it counts as nearly full.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesText, diskSpaceOf, isDiskFullText, lowDiskSpaceProblem, LOW_DISK_BYTES } from './disk-space.js';

const MIB = 1024 ** 2;

describe('disk space - said for a person', () => {
  it.each([
    [0, '0 B'],
    [-5, '0 B'],
    [1023, '1023 B'],
    [1536, '1.5 KiB'],
    [287 * MIB, '287 MiB'],
    [5.25 * MIB, '5.3 MiB'],
    [1.5 * 1024 * MIB, '1.5 GiB'],
    [20 * 1024 * MIB, '20 GiB'],
  ])('%d bytes: %s', (bytes, text) => {
    expect(bytesText(bytes)).toBe(text);
  });
});

describe('disk space - nearly full', () => {
  it.each([
    ['room', 5 * 1024 * MIB, false],
    ['exactly the limit', LOW_DISK_BYTES, false],
    ['287 MiB free, as seen on such machines', 287 * MIB, true],
    ['full', 0, true],
  ])('%s', (_name, free, low) => {
    const problem = lowDiskSpaceProblem({ path: '/srv/riskstream', freeBytes: free, totalBytes: 20 * 1024 * MIB });
    if (!low) {
      expect(problem).toBeNull();
      return;
    }
    expect(problem).toContain(`the disk of the data folder /srv/riskstream is nearly full (${bytesText(free)} free of 20 GiB)`);
    expect(problem).toMatch(/Free space there, lower RISKSTREAM_RETENTION_DAYS, or move RISKSTREAM_DATA_DIR/);
  });

  it('unknown space is no problem to report', () => {
    expect(lowDiskSpaceProblem(null)).toBeNull();
  });
});

describe('disk space - read from the file system', () => {
  let folder: string;
  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), 'rs-disk-space-'));
  });
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('a folder: its file system, free no more than total', () => {
    const space = diskSpaceOf(folder)!;
    expect(space.path).toBe(folder);
    expect(space.totalBytes).toBeGreaterThan(0);
    expect(space.freeBytes).toBeGreaterThanOrEqual(0);
    expect(space.freeBytes).toBeLessThanOrEqual(space.totalBytes);
  });

  it('a folder that does not exist: null', () => {
    expect(diskSpaceOf(join(folder, 'missing'))).toBeNull();
  });
});

describe('disk space - errors that say a disk is full', () => {
  it.each([
    ['Code: 243. DB::Exception: Cannot reserve 1.00 MiB, not enough space. (NOT_ENOUGH_SPACE)', true],
    ['Cannot reserve 1.00 MiB, not enough space: while pushing to view h_disk.alerts_minute_mv. ', true],
    ['ENOSPC: no space left on device, write', true],
    ['Code: 252. DB::Exception: Too many parts (300). (TOO_MANY_PARTS)', false],
    ['connect ECONNREFUSED 127.0.0.1:8123', false],
  ])('%s: %s', (text, full) => {
    expect(isDiskFullText(text)).toBe(full);
  });
});
