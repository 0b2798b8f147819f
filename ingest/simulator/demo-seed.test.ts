// The demo's seed across starts: a new bank of customers at each start, unless a seed is set.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_STARTS_FILE, demoSeed, demoStartsPath, forgetDemoStarts } from './demo-seed.js';

// Made in beforeAll, not as the file loads: a run that filters this file's tests out (-t) skips
// its hooks, and would leave the folder behind.
let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'riskstream-demo-seed-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('simulator - the demo seed', () => {
  it('is the default at a data folder first start and the next one at each start after it', () => {
    const dir = join(root, 'fresh', 'data');
    expect([demoSeed(42, false, dir, 'rs'), demoSeed(42, false, dir, 'rs'), demoSeed(42, false, dir, 'rs')]).toEqual([42, 43, 44]);
  });

  it('stays the one set in RISKSTREAM_SIMULATOR_SEED at every start', () => {
    const dir = join(root, 'explicit');
    expect([demoSeed(7, true, dir, 'rs'), demoSeed(7, true, dir, 'rs')]).toEqual([7, 7]);
  });

  it('falls back to the default when the count cannot be kept', () => {
    const file = join(root, 'a-file');
    writeFileSync(file, 'x');
    expect(demoSeed(42, false, join(file, 'data'), 'rs')).toBe(42);
    const odd = join(root, 'odd');
    demoSeed(42, false, odd, 'rs');
    writeFileSync(demoStartsPath(odd, 'rs'), 'not a number');
    expect(demoSeed(42, false, odd, 'rs')).toBe(42);
  });

  it('is counted per namespace, and a reset namespace starts again from the default', () => {
    const dir = join(root, 'two-namespaces');
    expect([demoSeed(42, false, dir, 'rs'), demoSeed(42, false, dir, 'rs'), demoSeed(42, false, dir, 'trial')]).toEqual([42, 43, 42]);
    expect(forgetDemoStarts(dir, 'rs')).toBe(true);
    expect(existsSync(demoStartsPath(dir, 'rs'))).toBe(false);
    expect([demoSeed(42, false, dir, 'rs'), demoSeed(42, false, dir, 'trial')]).toEqual([42, 43]);
    expect(forgetDemoStarts(dir, 'never_started')).toBe(false);
  });

  it('goes on from the shared count of a folder made before the count was per namespace, until a reset', () => {
    const dir = join(root, 'older');
    mkdirSync(dir);
    writeFileSync(join(dir, DEMO_STARTS_FILE), '5\n');
    expect([demoSeed(42, false, dir, 'rs'), demoSeed(42, false, dir, 'rs'), demoSeed(42, false, dir, 'trial')]).toEqual([47, 48, 47]);
    forgetDemoStarts(dir, 'rs');
    expect(demoSeed(42, false, dir, 'rs')).toBe(42);
  });
});
