// What the writer says about failing inserts: once, then a line a minute, then once on recovery;
// a full disk named with the data folder, its free space and what to do.
import { describe, expect, it } from 'vitest';
import { durationText, InsertFailureLog, insertFailureText, type InsertTarget } from './insert-failure-log.js';

const FULL = 'Code: 243. DB::Exception: Cannot reserve 1.00 MiB, not enough space. (NOT_ENOUGH_SPACE)';
const MIB = 1024 ** 2;
const CHDB: InsertTarget = { kind: 'chdb', dataDir: '/srv/rs/data', space: { path: '/srv/rs/data', freeBytes: 0, totalBytes: 200 * MIB } };

describe('insert failure log - how often', () => {
  it('a full disk for 10 minutes, a failure every 15 s: the first, one a minute, then the recovery', () => {
    const log = new InsertFailureLog();
    const said: string[] = [];
    for (let t = 0; t <= 600_000; t += 15_000) {
      const report = log.failed(t);
      if (report) said.push(`${t / 1000}:${report.first ? 'first' : 'again'}:${report.failures}`);
    }
    expect(said).toEqual(['0:first:1', '60:again:5', '120:again:9', '180:again:13', '240:again:17', '300:again:21', '360:again:25', '420:again:29', '480:again:33', '540:again:37', '600:again:41']);
    expect(log.succeeded()).toEqual({ type: 'insert_recovered', failures: 41, sinceMs: 0 });
    // Storing goes on: nothing more to say until the next outage, which is said from its start.
    expect(log.succeeded()).toBeNull();
    expect(log.failed(700_000)).toEqual({ type: 'insert_failing', first: true, failures: 1, sinceMs: 700_000 });
    expect(log.failed(701_000)).toBeNull();
  });

  it('a disk at the edge of full, failing and storing by turns every 5 s for 3 minutes: a line or two a minute', () => {
    const log = new InsertFailureLog();
    const said: string[] = [];
    for (let t = 0; t < 180_000; t += 10_000) {
      const failing = log.failed(t);
      if (failing) said.push(`${t / 1000}:${failing.first ? 'fail' : 'still'}`);
      const recovered = log.succeeded();
      if (recovered) said.push(`${(t + 5000) / 1000}:recovered`);
    }
    expect(said).toEqual(['0:fail', '5:recovered', '60:fail', '65:recovered', '120:fail', '125:recovered']);
  });

  it('an outage that began unsaid, within a minute of the last line, is said as one that fails (with its start), not as one still failing', () => {
    const log = new InsertFailureLog();
    expect(log.failed(0)?.first).toBe(true);
    expect(log.succeeded()?.type).toBe('insert_recovered');
    expect(log.failed(55_000)).toBeNull();
    expect(log.failed(61_000)).toEqual({ type: 'insert_failing', first: true, failures: 2, sinceMs: 55_000 });
    expect(log.failed(121_000)).toEqual({ type: 'insert_failing', first: false, failures: 3, sinceMs: 55_000 });
  });

  it('inserts that succeed say nothing', () => {
    expect(new InsertFailureLog().succeeded()).toBeNull();
  });
});

describe('insert failure log - what it says', () => {
  it.each([
    ['a full disk, embedded chDB: the folder, its space, what to do', { type: 'insert_failing', first: true, failures: 1, sinceMs: 0 }, FULL, CHDB, 0,
      'inserts into events fail: the disk of the data folder /srv/rs/data is full (0 B free of 200 MiB); decisions go on and rows wait on the streams (for RISKSTREAM_STREAM_MAX_AGE_HOURS, 72 h by default): free space there, or move RISKSTREAM_DATA_DIR to a larger disk, and the writer stores them, without a restart. ClickHouse said: ' + FULL],
    ['still full after 3 minutes', { type: 'insert_failing', first: false, failures: 13, sinceMs: 0 }, FULL, CHDB, 180_000,
      'inserts into events still failing after 3 min (13 failed batches): the disk of the data folder /srv/rs/data is full (0 B free of 200 MiB); decisions go on and rows wait on the streams (for RISKSTREAM_STREAM_MAX_AGE_HOURS, 72 h by default): free space there, or move RISKSTREAM_DATA_DIR to a larger disk, and the writer stores them, without a restart. ClickHouse said: ' + FULL],
    ['a full disk on a ClickHouse server', { type: 'insert_failing', first: true, failures: 1, sinceMs: 0 }, FULL, { kind: 'server' }, 0,
      "inserts into events fail: ClickHouse's disk is full; decisions go on and rows wait on the streams (for RISKSTREAM_STREAM_MAX_AGE_HOURS, 72 h by default): free space on the ClickHouse server and the writer stores them, without a restart. ClickHouse said: " + FULL],
    ['any other refusal', { type: 'insert_failing', first: true, failures: 1, sinceMs: 0 }, 'TOO_MANY_PARTS: Too many parts (300)\n in partition', CHDB, 0,
      'inserts into events fail: decisions go on and rows wait on the streams (for RISKSTREAM_STREAM_MAX_AGE_HOURS, 72 h by default); the writer retries with back-off. ClickHouse said: TOO_MANY_PARTS: Too many parts (300) in partition'],
    ['the recovery', { type: 'insert_recovered', failures: 41, sinceMs: 0 }, FULL, CHDB, 605_000,
      'inserts into events succeed again after 10 min (41 failed batches); storing what waited on the stream'],
  ] as const)('%s', (_name, report, lastError, target, now, text) => {
    expect(insertFailureText('events', report, lastError, target, now)).toBe(text);
  });

  it.each([
    [0, '0 s'],
    [44_600, '45 s'],
    [119_000, '119 s'],
    [180_000, '3 min'],
    [7_500_000, '2 h 5 min'],
  ])('%d ms: %s', (ms, text) => {
    expect(durationText(ms)).toBe(text);
  });
});
