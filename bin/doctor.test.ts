// doctor's Disk line: the data folder's free space, marked ✗ when the disk is nearly full.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataDiskCheck, namespaceStreamsText } from './doctor.js';

const MIB = 1024 ** 2;
const GIB = 1024 * MIB;

describe('doctor - the data folder\'s disk', () => {
  it.each([
    ['room', 40 * GIB, { name: 'Disk', ok: true, detail: 'data folder /srv/rs/data: 40 GiB free of 100 GiB' }],
    ['287 MiB free', 287 * MIB, { name: 'Disk', ok: false, detail: expect.stringMatching(/^the disk of the data folder \/srv\/rs\/data is nearly full \(287 MiB free of 100 GiB\): once it is full, nothing more is stored .*move RISKSTREAM_DATA_DIR to a larger disk$/) }],
    ['full', 0, { name: 'Disk', ok: false, detail: expect.stringContaining('(0 B free of 100 GiB)') }],
  ])('%s', (_name, free, check) => {
    expect(dataDiskCheck('/srv/rs/data', { path: '/srv/rs', freeBytes: free, totalBytes: 100 * GIB })).toEqual(check);
  });

  it('space that cannot be read: no line', () => {
    expect(dataDiskCheck('/srv/rs/data', null)).toBeNull();
  });

  describe('a folder not made yet', () => {
    let folder: string;
    beforeAll(() => {
      folder = mkdtempSync(join(tmpdir(), 'rs-doctor-disk-'));
    });
    afterAll(() => rmSync(folder, { recursive: true, force: true }));

    it('is read from the nearest folder that exists, and made by nothing', () => {
      const check = dataDiskCheck(join(folder, 'not', 'yet'))!;
      expect(check.name).toBe('Disk');
      expect(check.detail).toMatch(/ free of /);
    });
  });
});

// before: '0/4 of namespace "rs", created at start', which read as if the streams had been made
describe('doctor - the namespace\'s streams on the JetStream line', () => {
  it.each([
    [0, 'namespace "rs" has no stream yet (riskstream start creates its 4)'],
    [2, 'namespace "rs" has 2 of its 4 streams (riskstream start creates the others)'],
    [4, 'namespace "rs" has its 4 streams'],
  ])('%d of 4', (present, text) => {
    expect(namespaceStreamsText('rs', present, 4)).toBe(text);
  });
});
