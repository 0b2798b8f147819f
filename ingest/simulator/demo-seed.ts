// The seed of the demo's simulator at each start of `riskstream start`.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeFolder } from '../../core/paths.js';

/** Where the data folder counts the demo's starts. */
export const DEMO_STARTS_FILE = 'simulator-starts';

/**
 * The seed the demo runs with: RISKSTREAM_SIMULATOR_SEED at every start when it is set;
 * otherwise the default seed at a data folder's first start and the next seed at each start
 * after it. A simulated bank introduces its customers with their backdated history, so a restart
 * with the same seed would send that history again and the feature store would count every
 * account's past twice; with the next seed it introduces a new bank instead. When the data folder
 * cannot be written, the default seed (the first start's world, as before).
 */
export function demoSeed(base: number, explicit: boolean, dataDir: string): number {
  if (explicit) return base;
  const file = join(dataDir, DEMO_STARTS_FILE);
  let starts = 0;
  try {
    starts = Number.parseInt(readFileSync(file, 'utf8'), 10) || 0;
  } catch {
    // the first start of this data folder
  }
  try {
    makeFolder(dataDir, 'RISKSTREAM_DATA_DIR');
    writeFileSync(file, `${starts + 1}\n`);
  } catch {
    return base;
  }
  return (base + starts) % 2 ** 31;
}
