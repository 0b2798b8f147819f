// The seed of the demo's simulator at each start of `riskstream start`.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeFolder } from '../../core/paths.js';

/**
 * The data folder's count of one namespace's starts, `simulator-starts.<namespace>`: the count is
 * of banks that namespace's feature store has seen, so `riskstream reset` of it removes its count
 * alone, and another namespace on the same folder goes on counting its own.
 */
export const DEMO_STARTS_FILE = 'simulator-starts';

export function demoStartsPath(dataDir: string, namespace: string): string {
  return join(dataDir, `${DEMO_STARTS_FILE}.${namespace}`);
}

/**
 * The seed the demo runs with: RISKSTREAM_SIMULATOR_SEED at every start when it is set;
 * otherwise the default seed at a namespace's first start in a data folder and the next seed at
 * each start after it. A simulated bank introduces its customers with their backdated history, so
 * a restart with the same seed would send that history again and the feature store would count
 * every account's past twice; with the next seed it introduces a new bank instead. When the data
 * folder cannot be written, the default seed (the first start's world, as before).
 */
export function demoSeed(base: number, explicit: boolean, dataDir: string, namespace: string): number {
  if (explicit) return base;
  const file = demoStartsPath(dataDir, namespace);
  // A folder from before the count was the namespace's kept one count for all (`simulator-starts`):
  // a namespace without a count of its own goes on from it, never back to banks it may have seen.
  const starts = countIn(file) ?? countIn(join(dataDir, DEMO_STARTS_FILE)) ?? 0;
  try {
    makeFolder(dataDir, 'RISKSTREAM_DATA_DIR');
    writeFileSync(file, `${starts + 1}\n`);
  } catch {
    return base;
  }
  return (base + starts) % 2 ** 31;
}

/**
 * `riskstream reset`: the namespace's feature store is emptied, so its next start is a first one
 * (the default seed). Its count is removed; where an older folder's shared count is there, it is
 * set to 0 instead, or the next start would go on from the shared one. True when there was one.
 */
export function forgetDemoStarts(dataDir: string, namespace: string): boolean {
  const file = demoStartsPath(dataDir, namespace);
  const had = countIn(file) !== null;
  if (countIn(join(dataDir, DEMO_STARTS_FILE)) === null) rmSync(file, { force: true });
  else writeFileSync(file, '0\n');
  return had;
}

/** The count a file holds; null when there is no file, 0 when it holds no number. */
function countIn(file: string): number | null {
  try {
    return Number.parseInt(readFileSync(file, 'utf8'), 10) || 0;
  } catch {
    return null;
  }
}
