// Folders the product creates for its data: made with their parents, and refused in the words of their setting.
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from './config.js';
import { createFileOnce, folderOpenToOthers, makeFolder } from './paths.js';

// Made in beforeAll, not as the file loads: a run that filters this file's tests out (-t) skips
// its hooks, and would leave the folder behind.
let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'riskstream-paths-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('paths - makeFolder', () => {
  it('makes a folder with its missing parents, and takes one that exists', () => {
    const folder = join(root, 'a', 'b', 'c');
    makeFolder(folder, 'RISKSTREAM_DATA_DIR');
    expect(statSync(folder).isDirectory()).toBe(true);
    expect(() => makeFolder(folder, 'RISKSTREAM_DATA_DIR')).not.toThrow();
  });

  it('refuses a file, or a folder under a file, naming the setting', () => {
    const file = join(root, 'a-file');
    writeFileSync(file, 'x');
    expect(() => makeFolder(file, 'RISKSTREAM_DATA_DIR')).toThrow(new ConfigError(`RISKSTREAM_DATA_DIR: ${file} is a file, not a folder; choose a folder`));
    expect(() => makeFolder(join(file, 'inside'), 'RISKSTREAM_DATA_DIR')).toThrow(/RISKSTREAM_DATA_DIR: cannot use .*a-file\/inside \(ENOTDIR\)/);
  });

  it.runIf(process.platform === 'linux')('refuses a folder under /proc at once (where a recursive mkdir loops for ever)', () => {
    expect(() => makeFolder('/proc/riskstream-nope/chdb', 'RISKSTREAM_DATA_DIR')).toThrow(/RISKSTREAM_DATA_DIR: cannot create the folder \/proc\/riskstream-nope \(ENOENT\)/);
  });

  it.runIf(process.platform !== 'win32')('creates the folders it makes for its user alone (0700), and leaves the mode of those that exist', () => {
    const parent = join(root, 'shared-parent');
    mkdirSync(parent);
    chmodSync(parent, 0o755);
    const data = join(parent, 'data');
    makeFolder(join(data, 'chdb'), 'RISKSTREAM_DATA_DIR');
    expect(statSync(data).mode & 0o777).toBe(0o700);
    expect(statSync(join(data, 'chdb')).mode & 0o777).toBe(0o700);
    expect(statSync(parent).mode & 0o777).toBe(0o755);
    // a data folder that exists keeps its mode (the user chose it)
    chmodSync(data, 0o750);
    makeFolder(join(data, 'chdb'), 'RISKSTREAM_DATA_DIR');
    expect(statSync(data).mode & 0o777).toBe(0o750);
  });
});

describe('paths - folderOpenToOthers', () => {
  it.runIf(process.platform !== 'win32').each([
    [0o700, false],
    [0o750, true],
    [0o711, true],
    [0o755, true],
    [0o777, true],
  ])('a folder of mode %o is open to others: %s', (mode, open) => {
    const folder = mkdtempSync(join(root, 'mode-'));
    chmodSync(folder, mode);
    const warning = folderOpenToOthers(folder, 'the data folder');
    if (!open) expect(warning).toBeNull();
    else expect(warning).toBe(`the data folder ${folder} is open to other users of this machine (mode 0${mode.toString(8)}); it holds the embedded ClickHouse data (personal data). Close it with: chmod 700 ${folder}`);
  });

  it('says nothing of a folder that is not there', () => {
    expect(folderOpenToOthers(join(root, 'not-there'), 'the data folder')).toBeNull();
  });
});

describe('paths - createFileOnce', () => {
  it('creates the file whole (0600), keeps the first of two, and leaves nothing beside it', () => {
    const dir = join(root, 'once');
    mkdirSync(dir);
    const path = join(dir, 'key');
    expect(createFileOnce(path, 'first\n')).toBe(true);
    expect(createFileOnce(path, 'second\n')).toBe(false);
    expect(readFileSync(path, 'utf8')).toBe('first\n');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['key']);
  });

  it('throws what the file system says and leaves nothing behind when it cannot write', () => {
    const dir = join(root, 'once-closed');
    mkdirSync(dir, { mode: 0o500 });
    const path = join(dir, 'key');
    // root writes anywhere: a folder that is gone fails for everyone
    const target = process.getuid?.() === 0 ? join(root, 'no-such-folder', 'key') : path;
    expect(() => createFileOnce(target, 'x')).toThrow(/ENOENT|EACCES/);
    expect(readdirSync(dir)).toEqual([]);
  });
});
