// Finds files that ship with the product, whether the code runs from source (tests) or from dist/.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cachedRoot: string | undefined;

/** The folder holding riskstream's package.json. */
export function projectRoot(): string {
  if (cachedRoot) return cachedRoot;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'core'))) {
      cachedRoot = dir;
      return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the riskstream project folder above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
}

/** A path inside the source tree (reference data, Lua scripts, model artifacts). */
export function sourcePath(...parts: string[]): string {
  return join(projectRoot(), ...parts);
}

/** The shared reference data next to the checkout (`../shared/data`): for tests of files whose licence keeps them out of the product (the goAML schema, the Fedwire samples). */
export function sharedDataPath(...parts: string[]): string {
  return join(projectRoot(), '..', 'shared', 'data', ...parts);
}
