// riskstream's version, from its package.json: what `--version` prints and the API reports. A module
// of its own so that `riskstream --version` reads one file instead of loading the system.
import { readFileSync } from 'node:fs';
// core/paths.js rather than core/index.js: the index loads every client and validator (bin/riskstream.ts)
import { sourcePath } from '../core/paths.js';

export const PACKAGE_VERSION = (JSON.parse(readFileSync(sourcePath('package.json'), 'utf8')) as { version: string }).version;
