// What `replay --url` and `simulate --url` say when they cannot send to an ingest address: where a
// demo keeps its key, and what a whole batch refused for who sent it or where means.
import { existsSync } from 'node:fs';
import { demoApiKeyPath } from './banner.js';

/**
 * A command's refusal to send to `--url` without a key, naming where a demo started on the same
 * data folder keeps its own: the operator need not look for it.
 */
export function ingestKeyNeeded(dataDir: string, use: string): string {
  const path = demoApiKeyPath(dataDir);
  const demo = existsSync(path) ? ` (a demo riskstream on this data folder keeps its key in ${path}: RISKSTREAM_API_KEY="$(cat '${path}')")` : '';
  return `set RISKSTREAM_API_KEY to the ingest key of the running riskstream to ${use}${demo}`;
}

/** What to check when a whole batch is refused for who sent it or where, rather than for its lines. */
export function refusedBatchHint(status: number): string {
  if (status === 401) return '; RISKSTREAM_API_KEY is not an ingest key of the riskstream there';
  if (status === 404) return '; the riskstream there has no ingest role (give the address of a process started with it)';
  return '';
}
