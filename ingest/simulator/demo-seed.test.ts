// The demo's seed across starts: a new bank of customers at each start, unless a seed is set.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_STARTS_FILE, demoSeed } from './demo-seed.js';

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
    expect([demoSeed(42, false, dir), demoSeed(42, false, dir), demoSeed(42, false, dir)]).toEqual([42, 43, 44]);
  });

  it('stays the one set in RISKSTREAM_SIMULATOR_SEED at every start', () => {
    const dir = join(root, 'explicit');
    expect([demoSeed(7, true, dir), demoSeed(7, true, dir)]).toEqual([7, 7]);
  });

  it('falls back to the default when the count cannot be kept', () => {
    const file = join(root, 'a-file');
    writeFileSync(file, 'x');
    expect(demoSeed(42, false, join(file, 'data'))).toBe(42);
    const odd = join(root, 'odd');
    demoSeed(42, false, odd);
    writeFileSync(join(odd, DEMO_STARTS_FILE), 'not a number');
    expect(demoSeed(42, false, odd)).toBe(42);
  });
});
