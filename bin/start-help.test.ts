// start-help - what `riskstream start --help` says about configuration, against what a start does.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../core/index.js';
import { ROOT_HELP_TEXT, startHelpText } from './start-help.js';

describe('start-help - the environment variables an operator sets first', () => {
  const defaults = loadConfig({});
  it.each([
    ['PORT', String(defaults.port)],
    ['HOST', defaults.host],
    ['NATS_URL', defaults.natsUrl],
    ['REDIS_URL', defaults.redisUrl],
    ['CLICKHOUSE_URL', 'unset'],
    ['RISKSTREAM_DATA_DIR', './data'],
    ['RISKSTREAM_NAMESPACE', 'rs'],
    ['RISKSTREAM_API_KEY', 'generated, one per data folder'],
    ['RISKSTREAM_SIMULATOR_RATE', '50'],
    ['LOG_LEVEL', 'info'],
  ])('start-help - names %s with its default (%s)', (name, fallback) => {
    const line = startHelpText().split('\n').find((l) => l.trimStart().startsWith(`${name} `));
    expect(line).toBeDefined();
    expect(line).toMatch(new RegExp(`\\(default: ${fallback.replace(/[.]/g, '\\.')}\\)$`));
  });

  it('start-help - says where the rest is, and what a second riskstream on the machine needs; the root help points to it', () => {
    expect(startHelpText()).toMatch(/README\.md, "Configuration"/);
    expect(startHelpText()).toMatch(/own RISKSTREAM_NAMESPACE, RISKSTREAM_DATA_DIR and PORT/);
    expect(ROOT_HELP_TEXT).toMatch(/see riskstream start --help/);
  });
});
