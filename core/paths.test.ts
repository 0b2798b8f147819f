// Folders the product creates for its data: made with their parents, and refused in the words of their setting.
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from './config.js';
import { makeFolder } from './paths.js';

const root = mkdtempSync(join(tmpdir(), 'riskstream-paths-'));
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
});
