// The record of the minutes of each insert, in a temporary folder: what it names, what it keeps
// after a failed insert or an unrepaired start, and what it makes of a file it cannot read.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../core/index.js';
import { clearInflightMinutes, closeInflightFolder, INFLIGHT_FOLDER, InflightMinutes, inflightPath, readInflightMinutes } from './inflight-minutes.js';

const DB = 'rs_inflight_test';
const M = 1_800_000_000 - (1_800_000_000 % 60);

let dir: string;
let warnings: Array<Record<string, unknown>>;
const logger = () => createLogger('warn', 'test', { write: (line: string) => void warnings.push(JSON.parse(line) as Record<string, unknown>) });

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'riskstream-inflight-'));
  warnings = [];
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function put(table: 'events' | 'decisions' | 'alerts', text: string): void {
  const path = inflightPath(dir, DB, table);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

describe('inflight minutes', () => {
  it('inflight minutes - before an insert, the file names its minutes and replaces the last insert\'s', async () => {
    const record = new InflightMinutes(dir, DB, 'events', logger());
    await record.beforeInsert(new Set([M + 60, M, M + 180, M + 240]));
    expect(JSON.parse(readFileSync(record.path, 'utf8'))).toMatchObject({ v: 1, database: DB, table: 'events', minutes: [M, M + 60, M + 180, M + 240] });
    // Written over the longer one in place: the first line is the record, the rest the old one's tail.
    await record.beforeInsert([M + 120]);
    expect(readFileSync(record.path, 'utf8').split('\n')).toHaveLength(3);
    expect(readInflightMinutes(dir, DB, 'events', logger())).toEqual([M + 120]);
    // One file per table and database: another table's sink never overwrites it.
    await new InflightMinutes(dir, DB, 'alerts', logger()).beforeInsert([M]);
    await new InflightMinutes(dir, 'rs_other', 'events', logger()).beforeInsert([M + 600]);
    expect(readInflightMinutes(dir, DB, 'events', logger())).toEqual([M + 120]);
    expect(readInflightMinutes(dir, DB, 'alerts', logger())).toEqual([M]);
    expect(warnings).toEqual([]);
  });

  it('inflight minutes - the record\'s folder is made 0700, its user\'s alone, as every folder riskstream makes for its data', async () => {
    const record = new InflightMinutes(join(dir, 'missing-data-folder'), DB, 'events', logger());
    await record.beforeInsert([M]);
    expect(statSync(dirname(record.path)).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, 'missing-data-folder')).mode & 0o777).toBe(0o700);
  });

  it('inflight minutes - a folder an older version made open is closed at start; one that cannot be is named, and start goes on', async () => {
    const record = new InflightMinutes(dir, DB, 'events', logger());
    await record.beforeInsert([M]);
    const folder = join(dir, INFLIGHT_FOLDER);
    chmodSync(folder, 0o755); // as made before 2026-12-07
    expect(closeInflightFolder(dir, logger())).toEqual({ type: 'inflight_folder_closed', path: folder, from: 0o755 });
    expect(statSync(folder).mode & 0o777).toBe(0o700);
    expect(readInflightMinutes(dir, DB, 'events', logger())).toEqual([M]);
    // closed already, or not made yet: nothing to do
    expect(closeInflightFolder(dir, logger())).toBeNull();
    expect(closeInflightFolder(join(dir, 'no-data-folder'), logger())).toBeNull();
    expect(warnings).toEqual([]);
    // a folder whose mode cannot be changed, even by root (one of /proc's): warned about, not thrown
    const stuck = join(dir, 'stuck');
    mkdirSync(stuck);
    symlinkSync('/proc/self/task', join(stuck, INFLIGHT_FOLDER));
    expect(closeInflightFolder(stuck, logger())).toMatchObject({ type: 'inflight_folder_open', mode: 0o555, code: 'EPERM' });
    expect(warnings).toEqual([expect.objectContaining({ code: 'EPERM', msg: expect.stringContaining(`could not be closed (EPERM); close it with: chmod 700 ${join(stuck, INFLIGHT_FOLDER)}`) })]);
  });

  it('inflight minutes - the minutes of an insert that threw stay in every later record', async () => {
    const record = new InflightMinutes(dir, DB, 'decisions', logger());
    await record.beforeInsert([M]);
    record.insertFailed([M]);
    await record.beforeInsert([M + 60]);
    await record.beforeInsert([M + 120]);
    expect(readInflightMinutes(dir, DB, 'decisions', logger())).toEqual([M, M + 120]);
  });

  it('inflight minutes - a record the start did not clear (its repair failed) is carried into the next records', async () => {
    await new InflightMinutes(dir, DB, 'events', logger()).beforeInsert([M]);
    const next = new InflightMinutes(dir, DB, 'events', logger());
    await next.beforeInsert([M + 300]);
    expect(readInflightMinutes(dir, DB, 'events', logger())).toEqual([M, M + 300]);
    clearInflightMinutes(dir, DB, ['events', 'decisions', 'alerts']);
    expect(existsSync(next.path)).toBe(false);
    expect(readInflightMinutes(dir, DB, 'events', logger())).toEqual([]);
  });

  it('inflight minutes - a clean stop leaves no record after inserts that ended, and only the minutes in doubt after one that threw', async () => {
    const record = new InflightMinutes(dir, DB, 'events', logger());
    await record.beforeInsert([M, M + 60]);
    await record.stopped();
    expect(existsSync(record.path)).toBe(false);
    expect(readInflightMinutes(dir, DB, 'events', logger())).toEqual([]);
    // a stop before any insert leaves none either
    const idle = new InflightMinutes(dir, DB, 'alerts', logger());
    await idle.stopped();
    expect(existsSync(idle.path)).toBe(false);

    const failing = new InflightMinutes(dir, DB, 'decisions', logger());
    await failing.beforeInsert([M]);
    failing.insertFailed([M]);
    await failing.beforeInsert([M + 120]);
    await failing.stopped();
    expect(readInflightMinutes(dir, DB, 'decisions', logger())).toEqual([M]);
    // and so do the minutes of a record the start did not clear
    await new InflightMinutes(dir, DB, 'events', logger()).beforeInsert([M + 180]);
    const next = new InflightMinutes(dir, DB, 'events', logger());
    await next.beforeInsert([M + 240]);
    await next.stopped();
    expect(readInflightMinutes(dir, DB, 'events', logger())).toEqual([M + 180]);
    // a record removed by a stop is created again by the next insert
    await record.stopped();
    await record.beforeInsert([M + 300]);
    expect(readInflightMinutes(dir, DB, 'events', logger())).toEqual([M + 300]);
    expect(warnings).toEqual([]);
  });

  it('inflight minutes - no record (a first start, an older version) is nothing to compare, without a warning', async () => {
    expect(readInflightMinutes(dir, DB, 'events', logger())).toEqual([]);
    expect(warnings).toEqual([]);
  });

  const line = (fields: Record<string, unknown>) => `${JSON.stringify({ v: 1, database: DB, table: 'events', write: 7, minutes: [M], check: 7, ...fields })}\n`;
  it('inflight minutes - a record written whole reads back', async () => {
    put('events', line({}));
    expect(readInflightMinutes(dir, DB, 'events', logger())).toEqual([M]);
    expect(warnings).toEqual([]);
  });

  const unreadable: Array<[string, string]> = [
    ['cut short by a kill', `{"v":1,"database":"${DB}","table":"events","write":8,"minutes":[${M},`],
    // A kill past the first page of a long write, over an older and longer record: new head, old tail.
    ['mixing a new head with an old tail', `{"v":1,"database":"${DB}","table":"events","write":8,"minutes":[${M},${M + 60}],"check":7}\n`],
    ['without its line end', line({}).trimEnd()],
    ['empty', ''],
    ['not JSON', 'garbage \u0000\u0001'],
    ['JSON null', 'null'],
    ['of another version', line({ v: 2 })],
    ['of another database', line({ database: 'rs_else' })],
    ['of another table', line({ table: 'alerts' })],
    ['with a minute that is not one', line({ minutes: [M + 1] })],
    ['with minutes not a list', line({ minutes: 'all' })],
    ['without its check', line({ check: undefined })],
  ];
  it.each(unreadable)('inflight minutes - a record %s is ignored with a warning', async (_, text) => {
    put('events', text);
    expect(readInflightMinutes(dir, DB, 'events', logger())).toEqual([]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ level: 40, path: inflightPath(dir, DB, 'events') });
    // The writer's record starts afresh over it.
    const record = new InflightMinutes(dir, DB, 'events', logger());
    await record.beforeInsert([M]);
    expect(readInflightMinutes(dir, DB, 'events', logger())).toEqual([M]);
  });

  it('inflight minutes - a folder that cannot be written warns once and the inserts go on', async () => {
    // A file where the record's folder should be: every write fails.
    writeFileSync(join(dir, 'writer-inflight'), 'not a folder');
    const record = new InflightMinutes(dir, DB, 'events', logger());
    await expect(record.beforeInsert([M])).resolves.toBeUndefined();
    await expect(record.beforeInsert([M + 60])).resolves.toBeUndefined();
    expect(warnings.filter((w) => String(w.msg).includes('could not record'))).toHaveLength(1);
  });
});
