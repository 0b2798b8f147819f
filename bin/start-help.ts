// What `riskstream start --help` and `riskstream --help` say about configuration: everything is set
// by environment variables, which commander's option list cannot show. The defaults are read from
// loadConfig itself, so that the help cannot drift from what a start does.
// core/config.js rather than core/index.js: `--help` loads no client or validator (bin/riskstream.ts)
import { loadConfig } from '../core/config.js';

/** The variables an operator sets first, with what they mean; the rest are in the README. */
const FIRST_VARIABLES: ReadonlyArray<readonly [name: string, meaning: string, fallback: (defaults: ReturnType<typeof loadConfig>) => string]> = [
  ['PORT', 'HTTP port: ingest API, dashboard, /healthz, /metrics', (d) => String(d.port)],
  ['HOST', 'HTTP bind address', (d) => d.host],
  ['NATS_URL', 'NATS server with JetStream', (d) => d.natsUrl],
  ['REDIS_URL', 'Redis for the feature state', (d) => d.redisUrl],
  ['CLICKHOUSE_URL', 'a ClickHouse server instead of embedded chDB', () => 'unset'],
  // the data folder's default is relative to where riskstream starts, not the resolved path of this shell
  ['RISKSTREAM_DATA_DIR', 'embedded chDB, the demo key and passwords', () => './data'],
  ['RISKSTREAM_NAMESPACE', 'prefix of every stream, key and database', (d) => d.namespace],
  ['RISKSTREAM_API_KEY', 'the ingest key', () => 'generated, one per data folder'],
  ['RISKSTREAM_SIMULATOR_RATE', 'demo traffic, events/s (0: off)', (d) => String(d.simulatorRate)],
  ['LOG_LEVEL', 'trace … fatal, or silent', (d) => d.logLevel],
];

/** The lines after `start`'s options. */
export function startHelpText(): string {
  const defaults = loadConfig({});
  const width = Math.max(...FIRST_VARIABLES.map(([name]) => name.length));
  const lines = FIRST_VARIABLES.map(([name, meaning, fallback]) => `  ${name.padEnd(width)}  ${meaning} (default: ${fallback(defaults)})`);
  return [
    '',
    'Configured by environment variables, for example:',
    ...lines,
    '',
    'Every variable, its default and its range: README.md, "Configuration". A second riskstream on',
    'the same machine needs its own RISKSTREAM_NAMESPACE, RISKSTREAM_DATA_DIR and PORT.',
  ].join('\n');
}

/** The line after the command list of `riskstream --help`. */
export const ROOT_HELP_TEXT = '\nConfigured by environment variables (PORT, NATS_URL, RISKSTREAM_NAMESPACE, …): see riskstream start --help.';
