// `riskstream import`: public data sets' files turned into events, checked against the contracts,
// then replayed through a running riskstream and evaluated against their labels.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sourcePath, validateEvent } from '../core/index.js';
import { childEnv, createHarness, type Harness } from '../test/harness.js';
import { startRiskstream } from '../test/process.js';
import { failureText } from './cli-failure.js';
import { ImportError, MAX_ID_PREFIX, consoleImportOutput, defaultIdPrefix, importSummaryLines, runImport, type ImportOptions, type ImportOutput } from './import.js';
import { runReplay, type ReplayOutput } from './replay.js';

let folder: string;

beforeAll(() => {
  folder = mkdtempSync(join(tmpdir(), 'riskstream-import-'));
});
afterAll(() => {
  rmSync(folder, { recursive: true, force: true });
});

/** What the CLI prints for a refusal that must be a mistake of the command line: it ends with where import's help is. */
async function optionRefusal(run: Promise<unknown>): Promise<string> {
  const error = await run.then(() => new Error('import did not refuse'), (refusal: unknown) => refusal);
  expect(error).toBeInstanceOf(ImportError);
  const text = failureText(error, 'riskstream import');
  expect(text).toMatch(/\n\(see riskstream import --help\)$/);
  return text;
}

function quiet(): ImportOutput & { readonly reports: string[] } {
  const reports: string[] = [];
  return { reports, report: (line) => void reports.push(line), progress: () => undefined, done: () => undefined };
}

const PAYSIM_HEADER = 'step,type,amount,nameOrig,oldbalanceOrg,newbalanceOrig,nameDest,oldbalanceDest,newbalanceDest,isFraud,isFlaggedFraud';

/** Three hours of PaySim-shaped rows: payments, cash, and two frauds (a transfer emptying a wallet, then its cash-out); one row of a type PaySim does not have. */
function paysimFile(name: string): string {
  const rows = [PAYSIM_HEADER];
  for (let step = 1; step <= 3; step++) {
    for (let i = 0; i < 10; i++) {
      const n = step * 100 + i;
      rows.push(`${step},PAYMENT,${(12.5 + i).toFixed(2)},C${n},1000.0,900.0,M${900 + i},0.0,0.0,0,0`);
      rows.push(`${step},CASH_IN,${(200 + i * 3).toFixed(2)},C${n},0.0,200.0,C${n + 5000},900.0,700.0,0,0`);
    }
  }
  rows.push('2,TRANSFER,181000.00,C777,181000.00,0.0,C888,0.0,0.0,1,0');
  rows.push('2,CASH_OUT,181000.00,C888,181000.00,0.0,C999,0.0,181000.00,1,0');
  rows.push('3,REFUND,5.00,C1,0,0,C2,0,0,0,0');
  const path = join(folder, name);
  writeFileSync(path, rows.join('\n') + '\n');
  return path;
}

function linesOf(path: string): Array<Record<string, unknown>> {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

const START = Date.UTC(2026, 10, 1);

/** A stderr that is not a terminal (a log, a pipe), keeping what was written. */
function logStream(): NodeJS.WriteStream & { readonly text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({ write: (chunk: Buffer, _encoding, done) => void (chunks.push(chunk.toString()), done()) });
  return Object.assign(stream, { isTTY: false, text: () => chunks.join('') }) as unknown as NodeJS.WriteStream & { readonly text: () => string };
}

describe('riskstream import', () => {
  it('writes progress to a log as plain lines every so often, with no bar, 0 % line or blank line', async () => {
    const options: ImportOptions = { format: 'paysim', file: paysimFile('log.csv'), out: join(folder, 'log.ndjson'), currency: 'USD', startMs: START };
    // a file read within the 5 s: only what the import says, as a log shows it
    const log = logStream();
    await runImport(options, consoleImportOutput(log));
    expect(log.text()).toBe("import: PaySim's first hour starts 2026-11-01T00:00:00.000Z; amounts in USD\n");
    // every progress call past the interval is a line of its own (here every call: 0 ms)
    const often = logStream();
    await runImport(options, consoleImportOutput(often, 0));
    const lines = often.text().split('\n');
    expect(lines).toContain('import: counting hours 100 % (63 rows)');
    expect(lines).toContain('import: converting 100 % (63 rows)');
    expect(lines.slice(0, -1).every((line) => /^import: \S/.test(line))).toBe(true);
    expect(often.text()).not.toMatch(/\[|\n\n/);
  });

  it('writes a PaySim file as events its contracts accept, the same ids and times each time, and says what it left out', async () => {
    const source = paysimFile('ps.csv');
    const options: ImportOptions = { format: 'paysim', file: source, out: join(folder, 'ps.ndjson'), currency: 'USD', startMs: START };
    const out = quiet();
    const summary = await runImport(options, out);
    expect(summary).toMatchObject({ rows: 63, written: 62, refused: 0, positives: 2 });
    expect([...summary.leftOut]).toEqual([['type "REFUND" is not one of CASH_IN, CASH_OUT, DEBIT, TRANSFER, PAYMENT', 1]]);
    const events = linesOf(options.out);
    expect(events).toHaveLength(62);
    for (const event of events) expect(validateEvent(event).ok).toBe(true);
    expect(events[0]).toMatchObject({ id: 'paysim-ps-2', ts: '2026-11-01T00:00:00.000Z' });
    // Hour 2's 22 rows spread over it; the fraud is labelled.
    expect(events.find((e) => e.id === 'paysim-ps-62')).toMatchObject({ type: 'transfer', labels: { fraud: true, patterns: ['paysim_fraud'] } });
    expect(out.reports[0]).toBe("import: PaySim's first hour starts 2026-11-01T00:00:00.000Z; amounts in USD");
    const first = readFileSync(options.out, 'utf8');
    await runImport(options, quiet());
    expect(readFileSync(options.out, 'utf8')).toBe(first);
    expect(importSummaryLines(summary, options.out)).toEqual([
      expect.stringMatching(/^import: 62 of 63 rows written to .*ps\.ndjson in [\d.]+ s; 2 labelled positive$/),
      'import: 1 left out: type "REFUND" is not one of CASH_IN, CASH_OUT, DEBIT, TRANSFER, PAYMENT (line 64)',
      `import: next, with riskstream running: riskstream replay ${options.out} --evaluate`,
    ]);
  });

  it('leaves out and names the rows it cannot read truthfully: labels neither 0 nor 1, a field too many, a broken quote, and goes on', async () => {
    const rows = [
      PAYSIM_HEADER,
      '1,PAYMENT,10.00,C1,100.0,90.0,M1,0.0,0.0,0,0',
      '1,PAYMENT,11.00,C2,100.0,89.0,M1,0.0,0.0,yes,0',
      '1,PAYMENT,12.00,C3,100.0,88.0,M1,0.0,0.0,,0',
      '1,PAYMENT,13.00,C4,100.0,87.0,M1,0.0,0.0,0,0,extra',
      '1,PAY"MENT,14.00,C5,100.0,86.0,M1,0.0,0.0,0,0',
      '"1",TRANSFER,15.00,C6,100.0,85.0,C7,0.0,0.0,1,0',
    ];
    const source = join(folder, 'odd.csv');
    writeFileSync(source, rows.join('\r\n') + '\r\n');
    const options: ImportOptions = { format: 'paysim', file: source, out: join(folder, 'odd.ndjson'), currency: 'USD', startMs: START };
    const summary = await runImport(options, quiet());
    expect(summary).toMatchObject({ rows: 6, written: 2, positives: 1 });
    expect(linesOf(options.out).map((e) => [e.id, (e.labels as { fraud: boolean }).fraud])).toEqual([['paysim-odd-2', false], ['paysim-odd-7', true]]);
    const lines = importSummaryLines(summary, options.out);
    expect(lines).toContain('import: 1 left out: isFraud "yes" is not 0 or 1 (line 3)');
    expect(lines).toContain('import: 1 left out: isFraud "" is not 0 or 1 (line 4)');
    expect(lines).toContain('import: 1 left out: 12 fields where the header has 11 (line 5)');
    expect(lines).toContain('import: 1 left out: malformed CSV (a quote that is never closed) (line 6)');
  });

  it('leaves out a row with a stray quote and goes on to the end of the file: the row costs only itself', async () => {
    const rows = [PAYSIM_HEADER];
    for (let i = 1; i <= 1000; i++) rows.push(i === 5 ? '1,PAYMENT,"12.00,C2,1.0,0.0,M2,0.0,0.0,0,0' : i === 700 ? '1,PAYMENT,"12.0"0,C6,1.0,0.0,M2,0.0,0.0,0,0' : `1,PAYMENT,${i}.00,C${i},5000.0,4000.0,M2,0.0,0.0,0,0`);
    const source = join(folder, 'stray.csv');
    writeFileSync(source, rows.join('\n') + '\n');
    const summary = await runImport({ format: 'paysim', file: source, out: join(folder, 'stray.ndjson'), currency: 'USD', startMs: START }, quiet());
    expect(summary).toMatchObject({ rows: 1000, written: 998 });
    expect(linesOf(join(folder, 'stray.ndjson'))).toHaveLength(998);
    const lines = importSummaryLines(summary, join(folder, 'stray.ndjson'));
    expect(lines).toContain('import: 1 left out: malformed CSV (a quote that is never closed) (line 6)');
    expect(lines).toContain('import: 1 left out: malformed CSV (invalid closing quote) (line 701)');
  });

  it('stops with the line and a hint when most rows cannot be read as CSV', async () => {
    const rows = [PAYSIM_HEADER, ...Array.from({ length: 300 }, (_, i) => `1,PAYMENT,"${i}"x,C1,1.0,0.0,M2,0.0,0.0,0,0`)];
    const source = join(folder, 'quotes.csv');
    writeFileSync(source, rows.join('\n') + '\n');
    await expect(runImport({ format: 'paysim', file: source, out: join(folder, 'quotes.ndjson'), currency: 'USD', startMs: START }, quiet())).rejects.toThrow(
      /quotes\.csv: 101 of the first 101 rows cannot be read as CSV \(line 102: invalid closing quote\): is it the paysim file as published/,
    );
  });

  it("finds AMLworld's patterns file beside its transactions, and reads at most --limit rows", async () => {
    const trans = join(folder, 'HI-Tiny_Trans.csv');
    writeFileSync(
      trans,
      [
        'Timestamp,From Bank,Account,To Bank,Account,Amount Received,Receiving Currency,Amount Paid,Payment Currency,Payment Format,Is Laundering',
        '2022/09/01 00:20,010,8000A0001,010,8000A0001,1500.25,US Dollar,1500.25,US Dollar,Reinvestment,0',
        '2022/09/01 00:21,011,8000A0002,020,8000B0001,900.00,Euro,900.00,Euro,ACH,1',
        '2022/09/01 00:23,012,8000A0003,022,8000B0003,0.05,Bitcoin,0.05,Bitcoin,Bitcoin,0',
        '2022/09/01 00:25,013,8000A0004,024,8000B0005,75.10,UK Pound,75.10,UK Pound,Credit Card,1',
        '2022/09/01 00:26,014,8000A0005,025,8000B0006,9800.00,US Dollar,9800.00,US Dollar,Cash,0',
      ].join('\r\n') + '\r\n',
    );
    writeFileSync(join(folder, 'HI-Tiny_Patterns.txt'), ['BEGIN LAUNDERING ATTEMPT - FAN-OUT:  Max 1-degree Fan-Out', '2022/09/01 00:21,011,8000A0002,020,8000B0001,900.00,Euro,900.00,Euro,ACH,1', 'END LAUNDERING ATTEMPT - FAN-OUT'].join('\n'));
    const out = quiet();
    const summary = await runImport({ format: 'amlworld', file: trans, out: join(folder, 'aml.ndjson'), currency: 'USD', limit: 4 }, out);
    expect(out.reports[0]).toMatch(/^import: laundering typologies from .*HI-Tiny_Patterns\.txt \(1 transactions\)$/);
    expect(summary).toMatchObject({ rows: 4, written: 3, positives: 2, unlisted: 1 });
    expect([...summary.leftOut]).toEqual([['paid and received in Bitcoin, which has no ISO 4217 code', 1]]);
    expect(linesOf(join(folder, 'aml.ndjson')).map((e) => e.labels)).toEqual([
      { patterns: [], aml: false },
      { patterns: ['fan_out'], aml: true, scenarioId: 'amlworld-HI-Tiny_Trans-attempt-1' },
      { patterns: ['laundering'], aml: true },
    ]);
  });

  it('writes Sparkov card payments under ids of the data set, moved to the start given', async () => {
    const path = join(folder, 'fraudTest.csv');
    writeFileSync(
      path,
      [
        ',trans_date_trans_time,cc_num,merchant,category,amt,first,last,gender,street,city,state,zip,lat,long,city_pop,job,dob,trans_num,unix_time,merch_lat,merch_long,is_fraud',
        '0,2020-06-21 12:14:25,4000123456789012,fraud_Hartley and Sons,personal_care,2.86,Joan,Parker,F,12 Elm Row,Millbrook,SC,29209,33.9,-80.9,333497,Librarian,1968-03-19,aa11bb22cc33dd44ee55ff6677889900,1371816865,33.98,-81.2,0',
        '1,2020-06-21 12:15:10,4000123456789012,"fraud_Lowe, Group",travel,941.10,Joan,Parker,F,12 Elm Row,Millbrook,SC,29209,33.9,-80.9,333497,Librarian,1968-03-19,bb11bb22cc33dd44ee55ff6677889900,1371816910,33.5,-80.5,1',
      ].join('\n') + '\n',
    );
    const out = quiet();
    const summary = await runImport({ format: 'sparkov', file: path, out: join(folder, 'sp.ndjson'), currency: 'USD', startMs: START }, out);
    expect(summary).toMatchObject({ rows: 2, written: 2, positives: 1, refused: 0 });
    const events = linesOf(join(folder, 'sp.ndjson'));
    expect(events.map((e) => [e.id, e.ts])).toEqual([
      ['sparkov-fraudTest-aa11bb22cc33dd44ee55ff6677889900', '2026-11-01T00:00:00.000Z'],
      ['sparkov-fraudTest-bb11bb22cc33dd44ee55ff6677889900', '2026-11-01T00:00:45.000Z'],
    ]);
    // A quoted name with a comma stays one field.
    expect(events[1]).toMatchObject({ merchant: { name: 'Lowe, Group', mcc: '4722' } });
    // a row repeating an earlier row's trans_num is left out and named, not written twice under one id
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
    writeFileSync(join(folder, 'fraudRepeat.csv'), [...lines, lines[1]!.replace(/^0,/, '2,')].join('\n') + '\n');
    const repeat = await runImport({ format: 'sparkov', file: join(folder, 'fraudRepeat.csv'), out: join(folder, 'sp2.ndjson'), currency: 'USD', startMs: START }, quiet());
    expect(repeat).toMatchObject({ rows: 3, written: 2 });
    expect(importSummaryLines(repeat, join(folder, 'sp2.ndjson'))).toContain("import: 1 left out: its id trans_num repeats an earlier row's (the first is kept) (line 4)");
  });

  it("joins IEEE-CIS's identity file found beside its transactions", async () => {
    const sub = mkdtempSync(join(folder, 'ieee-'));
    writeFileSync(join(sub, 'train_transaction.csv'), ['TransactionID,isFraud,TransactionDT,TransactionAmt,ProductCD,card1,card2,card3,card4,card5,card6,addr1', '2987000,0,86400,68.5,W,13926,,150,discover,142,credit,315', '2987001,1,86401,29.0,H,2755,404,150,mastercard,102,credit,325'].join('\n'));
    writeFileSync(join(sub, 'train_identity.csv'), ['TransactionID,id_01,DeviceType,DeviceInfo', '2987001,0.0,desktop,"Windows, 10"'].join('\n'));
    const out = quiet();
    const summary = await runImport({ format: 'ieee-cis', file: join(sub, 'train_transaction.csv'), out: join(sub, 'ieee.ndjson'), currency: 'USD' }, out);
    expect(out.reports).toContain(`import: devices from ${join(sub, 'train_identity.csv')} (1 transactions)`);
    expect(summary).toMatchObject({ rows: 2, written: 2, positives: 1 });
    const events = linesOf(join(sub, 'ieee.ndjson'));
    expect(events.map((e) => [e.id, e.ts, (e.device as { id?: string } | undefined)?.id])).toEqual([
      ['ieee-cis-train_transaction-2987000', '2017-12-01T00:00:00.000Z', undefined],
      ['ieee-cis-train_transaction-2987001', '2017-12-01T00:00:01.000Z', 'desktop:Windows, 10'],
    ]);
    // The test file: no isFraud, no labels, no positives.
    writeFileSync(join(sub, 'test_transaction.csv'), ['TransactionID,TransactionDT,TransactionAmt,ProductCD,card1,card2,card3,card4,card5,card6,addr1', '3663549,18403224,31.95,W,10409,111,150,visa,226,debit,170'].join('\n'));
    const test = await runImport({ format: 'ieee-cis', file: join(sub, 'test_transaction.csv'), out: join(sub, 'test.ndjson'), currency: 'USD' }, quiet());
    expect(test).toMatchObject({ rows: 1, written: 1, positives: 0, unlabelled: true });
    // what to run next leaves --evaluate out (before, it suggested it right below this line)
    expect(importSummaryLines(test, join(sub, 'test.ndjson')).at(-1)).toBe(`import: next, with riskstream running: riskstream replay ${join(sub, 'test.ndjson')}`);
    expect(importSummaryLines(test, join(sub, 'test.ndjson'))).toContain(
      "import: the file has no isFraud column, so it was read as IEEE-CIS's unlabelled test file: its events carry no labels and replay --evaluate has nothing to measure them against",
    );
    expect(summary.unlabelled).toBeUndefined();
    expect(linesOf(join(sub, 'test.ndjson'))[0]).not.toHaveProperty('labels');
  });

  it('says what is wrong with how it was called', async () => {
    const base = { out: join(folder, 'x.ndjson'), currency: 'USD' } as const;
    await expect(runImport({ ...base, format: 'paysim', file: join(folder, 'missing.csv') }, quiet())).rejects.toThrow(new ImportError(`no such file: ${join(folder, 'missing.csv')}`));
    const source = paysimFile('ps2.csv');
    await expect(runImport({ ...base, format: 'amlworld', file: source }, quiet())).rejects.toThrow(/^not an AMLworld transactions file: its header is "step,type,/);
    expect(await optionRefusal(runImport({ ...base, format: 'paysim', file: source, currency: 'XYZ' }, quiet()))).toMatch(/--currency XYZ is not an ISO 4217 code in use/);
    expect(await optionRefusal(runImport({ ...base, format: 'sparkov', file: source, patterns: source }, quiet()))).toMatch(/^--patterns is for amlworld; Sparkov labels each row itself\n/);
    expect(await optionRefusal(runImport({ ...base, format: 'paysim', file: source, identity: source }, quiet()))).toMatch(/^--identity is for ieee-cis, not paysim\n/);
    await expect(runImport({ ...base, format: 'sparkov', file: source }, quiet())).rejects.toThrow(/^not a Sparkov \(fraudTrain\.csv \/ fraudTest\.csv\) file: its header lacks "trans_date_trans_time"/);
    await expect(runImport({ ...base, format: 'paysim', file: source, out: join(folder, 'no', 'such', 'dir.ndjson') }, quiet())).rejects.toThrow(/^cannot write .*dir\.ndjson: ENOENT/);
    await expect(runImport({ ...base, format: 'paysim', file: folder }, quiet())).rejects.toThrow(`the data set ${folder} is a folder: give the CSV file itself`);
    await expect(runImport({ ...base, format: 'ieee-cis', file: source, identity: folder }, quiet())).rejects.toThrow(`the identity file ${folder} is a folder`);
    await expect(runImport({ ...base, format: 'amlworld', file: source, patterns: folder }, quiet())).rejects.toThrow(`the patterns file ${folder} is a folder: give the <name>_Patterns.txt file itself`);
  });

  it('names the ids after the format and the file, so that two files of one format never share ids', () => {
    expect(defaultIdPrefix('amlworld', '/data/HI-Small_Trans.csv')).toBe('amlworld-HI-Small_Trans');
    expect(defaultIdPrefix('amlworld', 'LI-Small_Trans.csv')).toBe('amlworld-LI-Small_Trans');
    expect(defaultIdPrefix('paysim', 'PS 2017 (part 1).csv')).toBe('paysim-PS_2017__part_1_');
    expect(defaultIdPrefix('sparkov', '.csv')).toBe('sparkov');
    expect(defaultIdPrefix('ieee-cis', 'x'.repeat(200) + '.csv')).toHaveLength(MAX_ID_PREFIX);
  });

  it('checks its options before reading a row, naming the option', async () => {
    const source = paysimFile('opts.csv');
    const base = { format: 'paysim', file: source, out: join(folder, 'opts.ndjson'), currency: 'USD' } as const;
    const now = Date.UTC(2026, 10, 20, 12, 30);
    for (const idPrefix of ['my run', '_x', 'x'.repeat(130)]) {
      expect(await optionRefusal(runImport({ ...base, idPrefix }, quiet(), now))).toMatch(/^--id-prefix ".*": give 1 to 80 letters, digits and \. _ : @ -/);
    }
    expect(await optionRefusal(runImport({ ...base, currency: 'UGX' }, quiet(), now))).toMatch(/^--currency UGX: riskstream has no USD rate for it/);
    expect(await optionRefusal(runImport({ ...base, limit: 0 }, quiet(), now))).toMatch('--limit must be a whole number of at least 1');
    expect(await optionRefusal(runImport({ ...base, startMs: Date.UTC(1999, 0, 1) }, quiet(), now))).toMatch(/^--start 1999-01-01T00:00:00\.000Z: events must be after 2000-01-01/);
    // three hours: the first may start at most 24 h + 3 h before now, to the minute
    expect(await optionRefusal(runImport({ ...base, startMs: now + 23 * 3_600_000 }, quiet(), now))).toMatch(
      /^--start 2026-11-21T11:30:00\.000Z: this file's 3 hours would end more than 24 hours ahead of now, .*give --start 2026-11-21T09:30:00\.000Z or earlier/,
    );
    expect(await runImport({ ...base, startMs: Date.UTC(2026, 10, 21, 9, 30) }, quiet(), now)).toMatchObject({ written: 62 });
    // formats whose span is known only row by row: the first row too far ahead stops the import, naming --start
    const sparkov = join(folder, 'sparkov-span.csv');
    writeFileSync(sparkov, [
      ',trans_date_trans_time,cc_num,merchant,category,amt,first,last,gender,street,city,state,zip,lat,long,city_pop,job,dob,trans_num,unix_time,merch_lat,merch_long,is_fraud',
      '0,2020-06-21 12:14:25,4000123456789012,fraud_A,personal_care,2.86,Joan,Parker,F,1 Elm,M,SC,29209,33.9,-80.9,3,L,1968-03-19,aa11bb22cc33dd44ee55ff6677889900,1,33.98,-81.2,0',
      '1,2020-06-23 12:14:25,4000123456789012,fraud_A,personal_care,2.86,Joan,Parker,F,1 Elm,M,SC,29209,33.9,-80.9,3,L,1968-03-19,bb11bb22cc33dd44ee55ff6677889900,1,33.98,-81.2,0',
    ].join('\n'));
    expect(await optionRefusal(runImport({ ...base, format: 'sparkov', file: sparkov, startMs: now }, quiet(), now))).toMatch(
      /^--start 2026-11-20T12:30:00\.000Z puts line 3 at 2026-11-22T12:30:00\.000Z, more than 24 hours ahead of now .*give an earlier --start/,
    );
    // what it had written of the file is not left behind to read as a smaller data set
    expect(existsSync(base.out)).toBe(false);
  });

  it('counts only what was written, and names no next step for a file without rows', async () => {
    const source = join(folder, 'header-only.csv');
    writeFileSync(source, PAYSIM_HEADER + '\n');
    const summary = await runImport({ format: 'paysim', file: source, out: join(folder, 'header-only.ndjson'), currency: 'USD', startMs: START }, quiet());
    expect(summary).toMatchObject({ rows: 0, written: 0 });
    expect(importSummaryLines(summary, join(folder, 'header-only.ndjson')).join('\n')).not.toMatch(/next/);
  });

  it('refuses --out naming a file it reads, before writing anything', async () => {
    const source = paysimFile('same.csv');
    const before = readFileSync(source, 'utf8');
    await expect(runImport({ format: 'paysim', file: source, out: source, currency: 'USD' }, quiet())).rejects.toThrow(`--out ${source} is the file it reads (${source}): writing would empty it`);
    // the same file by another name
    await expect(runImport({ format: 'paysim', file: source, out: join(folder, '.', 'same.csv'), currency: 'USD' }, quiet())).rejects.toThrow(/is the file it reads/);
    expect(readFileSync(source, 'utf8')).toBe(before);
    const sub = mkdtempSync(join(folder, 'ieee-same-'));
    writeFileSync(join(sub, 'train_transaction.csv'), 'TransactionID,isFraud,TransactionDT,TransactionAmt,ProductCD,card1,card2,card3,card4,card5,card6,addr1\n');
    writeFileSync(join(sub, 'train_identity.csv'), 'TransactionID,DeviceType,DeviceInfo\n');
    await expect(runImport({ format: 'ieee-cis', file: join(sub, 'train_transaction.csv'), out: join(sub, 'train_identity.csv'), currency: 'USD' }, quiet())).rejects.toThrow(/is the file it reads \(.*train_identity\.csv\)/);
  });

  it("reads IEEE-CIS's identity file past a row it cannot read, and names a header it cannot read", async () => {
    const sub = mkdtempSync(join(folder, 'ieee-bad-'));
    writeFileSync(join(sub, 'train_transaction.csv'), ['TransactionID,isFraud,TransactionDT,TransactionAmt,ProductCD,card1,card2,card3,card4,card5,card6,addr1', '2987001,1,86401,29.0,H,2755,404,150,mastercard,102,credit,325'].join('\n'));
    writeFileSync(join(sub, 'train_identity.csv'), ['TransactionID,DeviceType,DeviceInfo', '2987000,mobile,"iOS', '2987001,desktop,"Windows, 10"'].join('\n'));
    const out = quiet();
    await runImport({ format: 'ieee-cis', file: join(sub, 'train_transaction.csv'), out: join(sub, 'ieee.ndjson'), currency: 'USD' }, out);
    expect(out.reports).toContain(`import: 1 rows of ${join(sub, 'train_identity.csv')} cannot be read as CSV (first at line 2): their transactions carry no device`);
    expect(linesOf(join(sub, 'ieee.ndjson'))[0]).toMatchObject({ device: { id: 'desktop:Windows, 10' } });
    writeFileSync(join(sub, 'bad_identity.csv'), 'TransactionID,"DeviceType,DeviceInfo\n');
    await expect(runImport({ format: 'ieee-cis', file: join(sub, 'train_transaction.csv'), identity: join(sub, 'bad_identity.csv'), out: '-', currency: 'USD' }, quiet())).rejects.toThrow(
      `${join(sub, 'bad_identity.csv')} line 1: the identity file's header cannot be read as CSV (a quote that is never closed)`,
    );
  });
});

describe('riskstream import - the command line', () => {
  const cli = async (args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> =>
    promisify(execFile)(process.execPath, [sourcePath('dist', 'bin', 'riskstream.js'), ...args], { env: { ...process.env, LOG_LEVEL: 'silent', ...env }, timeout: 20_000 }).then(
      (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
    );

  it.each([
    ['an impossible date', ['--start', '2024-02-30T00:00:00Z'], /2024-02-30T00:00:00Z is not a date and time of the calendar/],
    ['a time without its zone', ['--start', '2024-01-01T00:00:00'], /expected an ISO 8601 time with its zone/],
    ['--limit 0', ['--limit', '0'], /expected a whole number of at least 1/],
    ['an unknown currency', ['--currency', 'UGX'], /^riskstream: --currency UGX: riskstream has no USD rate/m],
  ])('refuses %s in one line and where the help is, without a stack', async (_name, args, message) => {
    const result = await cli(['import', 'paysim', paysimFile('cli.csv'), '--out', join(folder, 'cli.ndjson'), ...args]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(message);
    // commander's refusals and import's own alike: a mistake in the command line names the help
    expect(result.stderr).toMatch(/\n\(see riskstream import --help\)\n$/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  }, 30_000);

  it('takes a currency RISKSTREAM_FX_RATES adds: the rates, set before the command is loaded, are those it checks with', async () => {
    const out = join(folder, 'ugx.ndjson');
    const result = await cli(['import', 'paysim', paysimFile('ugx.csv'), '--out', out, '--currency', 'UGX'], { RISKSTREAM_FX_RATES: '{"UGX":0.00027}' });
    expect(result.code, result.stderr).toBe(0);
    expect(linesOf(out).length).toBeGreaterThan(0);
    expect(linesOf(out).every((event) => event.currency === 'UGX')).toBe(true);
  }, 30_000);
});

describe('riskstream import, then replay --evaluate through a running riskstream', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(async () => {
    await h?.cleanup();
  });

  it('decides every imported event and scores detection on its labels', async () => {
    const running = await startRiskstream(childEnv(h), ['start', '--roles', 'ingest,processors']);
    try {
      const file = join(folder, 'ps-replay.ndjson');
      // A recent month, so that the events are within the retention.
      await runImport({ format: 'paysim', file: paysimFile('ps3.csv'), out: file, currency: 'USD', startMs: Date.now() - 4 * 3_600_000, idPrefix: `ps-${h.namespace}` }, quiet());
      const reports: string[] = [];
      const out: ReplayOutput = { progress: () => undefined, report: (line) => void reports.push(line) };
      const summary = await runReplay(h.config, { file, waitSeconds: 60, evaluate: true }, out);
      expect(summary).toMatchObject({ sent: 62, refused: 0, decided: true });
      expect(summary.evaluation).toMatchObject({ decided: 62, labelled: 62 });
      // Both frauds empty their wallet (the balance before the payment is in debtorBalance): FR-DRAIN
      // flags them, and nothing else.
      expect(summary.evaluation?.domains.find((d) => d.domain === 'fraud')).toMatchObject({ labelled: 62, positives: 2, flagged: 2, truePositives: 2 });
      expect(summary.evaluation?.patterns.find((p) => p.pattern === 'paysim_fraud')).toMatchObject({ events: 2 });
      // The decisions' fraud scores rank both frauds above every ordinary payment.
      expect(summary.evaluation?.fraudRanking).toMatchObject({ events: 62, positives: 2, rocAuc: 1 });
      expect(reports.find((l) => l.startsWith('replay: detection on 62 labelled of 62 decided events'))).toBeDefined();
      expect(await running.stop()).toBe(0);
    } finally {
      await running.kill();
    }
  }, 120_000);
});
