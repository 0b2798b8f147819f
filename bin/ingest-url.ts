// What `replay --url`, `simulate --url` and `bench --via http` say when they cannot send to an ingest address: where a
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

/**
 * What to check when nothing answers at an ingest address: the address, the error's code
 * (ECONNREFUSED, ENOTFOUND…; fetch's own is in its cause) and the likely causes.
 */
export function nothingAnswersAt(url: string, error: unknown): string {
  const e = error as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
  const code = e.cause?.code ?? e.code ?? (e.name === 'TimeoutError' ? 'no answer in time' : e.message);
  return `nothing answers at ${url} (${code}): is riskstream running there, and on that port?`;
}

/** What to check when a whole batch is refused for who sent it or where, rather than for its lines. */
export function refusedBatchHint(status: number): string {
  if (status === 401) return '; RISKSTREAM_API_KEY is not an ingest key of the riskstream there';
  if (status === 404) return '; the riskstream there has no ingest role (give the address of a process started with it)';
  return '';
}
