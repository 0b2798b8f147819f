import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../core/index.js';
import { commitOf } from './machine.js';

// Made in beforeAll, not as the file loads: a run that filters this file's tests out (-t) skips
// its hooks, and would leave the folder behind.
let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'rs-machine-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('bench machine - the commit recorded', () => {
  it("is riskstream's own, whatever the current folder", () => {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: projectRoot(), encoding: 'utf8' }).trim();
    const cwd = process.cwd();
    try {
      process.chdir(scratch);
      expect(commitOf(projectRoot())).toMatch(new RegExp(`^${head}(\\+dirty)?$`));
    } finally {
      process.chdir(cwd);
    }
  });

  it('is unknown outside a git checkout, and for a folder inside another checkout', () => {
    const plain = join(scratch, 'plain');
    mkdirSync(plain);
    expect(commitOf(plain)).toBe('unknown');
    const other = join(scratch, 'other');
    mkdirSync(join(other, 'node_modules', 'riskstream'), { recursive: true });
    execFileSync('git', ['init', '-q'], { cwd: other });
    execFileSync('git', ['-c', 'user.email=t@example.org', '-c', 'user.name=t', 'commit', '-q', '--allow-empty', '-m', 'x'], { cwd: other });
    expect(commitOf(join(other, 'node_modules', 'riskstream'))).toBe('unknown');
  });
});
