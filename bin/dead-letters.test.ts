// Listing dead letters from the real dead-letter stream: newest first, by time, code and source,
// with a summary; and the command's output through the built CLI.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, sourcePath, type DeadLetterWire } from '../core/index.js';
import { createHarness, NATS_URL, REDIS_URL, type Harness } from '../test/harness.js';
import { failureText } from './cli-failure.js';
import { DeadLettersCommandError, deadLetterLines, listDeadLetters, newestFirst, runDeadLettersCommand, sinceOf, type ListedLetter } from './dead-letters.js';

let h: Harness;
const now = Date.now();

function letter(i: number, overrides: Partial<DeadLetterWire> = {}): DeadLetterWire {
  return {
    v: 1,
    source: 'processors',
    subject: 'x.ev.payment.3',
    streamSeq: 100 + i,
    code: 'RS_ERR_BUS_SCHEMA',
    reason: `/amount: must match pattern (letter ${i})`,
    at: now - (10 - i) * 1000,
    payload: JSON.stringify({ v: 1, kind: 'payment', id: `dl-${i}`, amount: 12.5 }),
    ...overrides,
  };
}

beforeAll(async () => {
  h = await createHarness();
  for (let i = 0; i < 6; i++) {
    const l = i === 4 ? letter(i, { source: 'writer', code: 'RS_ERR_STORAGE_ROW', subject: 'x.dec.payment' }) : letter(i);
    await h.bus.publisher.publish(h.names.dlqSubject(l.source), JSON.stringify(l), `dl-test-${i}`);
  }
});

afterAll(async () => h?.cleanup());

describe('dead letters', () => {
  it('lists the letters since a time, newest first, with counts by code', async () => {
    const listing = await listDeadLetters(h.bus, { sinceMs: now - 60_000, limit: 50 });
    expect(listing.matched).toBe(6);
    expect(listing.letters.map((l) => l.payload && JSON.parse(l.payload).id)).toEqual(['dl-5', 'dl-4', 'dl-3', 'dl-2', 'dl-1', 'dl-0']);
    expect(listing.byCode).toEqual({ RS_ERR_BUS_SCHEMA: 5, RS_ERR_STORAGE_ROW: 1 });
  });

  it('filters by code and source, and cuts to the limit (the summary says so)', async () => {
    const storage = await listDeadLetters(h.bus, { sinceMs: now - 60_000, source: 'writer', limit: 50 });
    expect(storage.letters.map((l) => l.code)).toEqual(['RS_ERR_STORAGE_ROW']);
    const schema = await listDeadLetters(h.bus, { sinceMs: now - 60_000, code: 'RS_ERR_BUS_SCHEMA', limit: 2 });
    expect(schema.matched).toBe(5);
    expect(schema.letters).toHaveLength(2);
    const lines = deadLetterLines(schema, now - 60_000);
    expect(lines[0]).toBe(`5 dead letters since ${new Date(now - 60_000).toISOString()} (the newest 2 shown; --limit shows more): RS_ERR_BUS_SCHEMA 5`);
    expect(lines[1]).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z {2}processors RS_ERR_BUS_SCHEMA {2}x\.ev\.payment\.3 {2}id dl-5$/);
    expect(lines[2]).toBe('    /amount: must match pattern (letter 5)');
  });

  it('orders by the time each letter was made, newest first, whatever order they landed in, and lines up subjects of codes of other lengths', () => {
    // a batch's two letters published at once: the later one (at) landed first on the stream
    const landed: ListedLetter[] = [
      { ...letter(1, { code: 'RS_ERR_BUS_JSON', payload: 'not json' }), dlqSeq: 7 },
      { ...letter(2), dlqSeq: 6 },
      { ...letter(2, { source: 'writer', code: 'RS_ERR_STORAGE_ROW', subject: 'x.dec.payment' }), dlqSeq: 8 },
    ];
    const ordered = newestFirst(landed);
    expect(ordered.map((l) => l.dlqSeq)).toEqual([8, 6, 7]);
    const lines = deadLetterLines({ letters: ordered, matched: 3, byCode: { RS_ERR_BUS_SCHEMA: 1, RS_ERR_BUS_JSON: 1, RS_ERR_STORAGE_ROW: 1 } }, now - 60_000).filter((line) => !line.startsWith(' '));
    expect(lines.slice(1).map((line) => line.slice(24))).toEqual([
      '  writer     RS_ERR_STORAGE_ROW  x.dec.payment  id dl-2',
      '  processors RS_ERR_BUS_SCHEMA   x.ev.payment.3  id dl-2',
      '  processors RS_ERR_BUS_JSON     x.ev.payment.3',
    ]);
  });

  it('says so when there are none since the time', async () => {
    const listing = await listDeadLetters(h.bus, { sinceMs: now + 60_000, limit: 50 });
    expect(listing.matched).toBe(0);
    expect(deadLetterLines(listing, now + 60_000)).toEqual([`no dead letters since ${new Date(now + 60_000).toISOString()}`]);
  });

  it('reads --since as a time back from now or an ISO time, and refuses anything else', () => {
    expect(sinceOf('15m', 1_000_000_000)).toBe(1_000_000_000 - 900_000);
    expect(sinceOf('2h', 1_000_000_000)).toBe(1_000_000_000 - 7_200_000);
    expect(sinceOf('7d', 1_000_000_000)).toBe(1_000_000_000 - 604_800_000);
    expect(sinceOf('2026-12-06T00:00:00Z')).toBe(Date.parse('2026-12-06T00:00:00Z'));
    expect(sinceOf('2026-12-06T01:00:00+01:00')).toBe(Date.parse('2026-12-06T00:00:00Z'));
    expect(sinceOf('3650d', 1_000_000_000_000)).toBe(1_000_000_000_000 - 3650 * 86_400_000);
    expect(() => sinceOf('yesterday')).toThrow(DeadLettersCommandError);
  });

  it.each([
    // rolled over to 2026-03-02 before
    ['2026-02-30T00:00:00Z', /^--since 2026-02-30T00:00:00Z: 2026-02-30T00:00:00Z is not a date and time of the calendar$/],
    ['2026-12-06T25:00:00Z', /expected an ISO 8601 time with its zone/],
    // read as this machine's local time before
    ['2026-12-06T00:00:00', /expected an ISO 8601 time with its zone/],
    ['2026-12-06', /expected an ISO 8601 time with its zone/],
    // printed "since -025353-11-12…" before
    ['9999999d', /^--since 9999999d reaches back more than 3650 days; dead letters are kept 30 days/],
    ['3651d', /reaches back more than 3650 days/],
    ['99999999999999999999m', /give a time back from now/],
    ['-5m', /give a time back from now/],
  ])('refuses --since %s, saying why', (text, message) => {
    expect(() => sinceOf(text)).toThrow(DeadLettersCommandError);
    expect(() => sinceOf(text)).toThrow(message);
  });

  it('an option it refuses is a mistake of the command line: printed with where the help is', async () => {
    const since = (() => {
      try {
        return sinceOf('yesterday');
      } catch (error) {
        return error;
      }
    })();
    expect(failureText(since, 'riskstream dead-letters')).toMatch(/^--since yesterday: give a time back from now .*\n\(see riskstream dead-letters --help\)$/);
    // refused before it connects: the config's NATS is never asked
    const config = loadConfig({ NATS_URL: 'nats://127.0.0.1:1', RISKSTREAM_NAMESPACE: 'h_deadletters_code' });
    const code = await runDeadLettersCommand(config, { since: '1h', code: 'RS_ERR_INGEST_SCHEMA', limit: 1 }, () => {}).catch((error: unknown) => error);
    expect(failureText(code, 'riskstream dead-letters')).toMatch(/^--code RS_ERR_INGEST_SCHEMA is not a dead-letter code; .*\n\(see riskstream dead-letters --help\)$/);
  });

  // three starts of the CLI: 18 s of the default 30 with two suites at once
  it('the command prints the summary, or one JSON line per letter to fix and replay', async () => {
    const run = promisify(execFile);
    const cli = (args: string[]) =>
      run(process.execPath, [sourcePath('dist', 'bin', 'riskstream.js'), 'dead-letters', ...args], {
        env: { ...process.env, NATS_URL, REDIS_URL, RISKSTREAM_NAMESPACE: h.namespace, LOG_LEVEL: 'silent' },
        timeout: 30_000,
      });
    const text = (await cli(['--since', '1h'])).stdout;
    expect(text).toMatch(/^6 dead letters since .*: RS_ERR_BUS_SCHEMA 5, RS_ERR_STORAGE_ROW 1$/m);
    const json = (await cli(['--code', 'RS_ERR_BUS_SCHEMA', '--limit', '3', '--json'])).stdout.trim().split('\n');
    // a code no dead letter carries would list nothing, as if all were well: refused, naming the codes
    const wrong = await cli(['--code', 'RS_ERR_INGEST_SCHEMA']).catch((error: { code: number; stderr: string }) => error);
    expect(wrong).toMatchObject({ code: 1, stderr: expect.stringMatching(/--code RS_ERR_INGEST_SCHEMA is not a dead-letter code; dead letters carry RS_ERR_BUS_JSON, RS_ERR_BUS_SCHEMA.*\n\(see riskstream dead-letters --help\)\n$/) });
    expect(json.map((l) => JSON.parse(JSON.parse(l).payload).id)).toEqual(['dl-5', 'dl-3', 'dl-2']);
    // The ephemeral consumers are gone again.
    const consumers: string[] = [];
    for await (const c of h.bus.jsm.consumers.list(h.names.streams.dlq)) consumers.push(c.name);
    expect(consumers).toEqual([]);
  }, 90_000);
});
