// `riskstream import <format> <file>`: turns a public labelled data set (PaySim, Sparkov, IEEE-CIS, IBM's AMLworld)
// into riskstream events, NDJSON, with its ground truth in `labels`, for `riskstream replay
// --evaluate` to measure detection on data the product was not built on. Every event written is
// checked against its contract first, so the file replays without refusals; rows the product
// cannot take (a currency without an ISO code) are left out and counted, with the reason.
import { once } from 'node:events';
import { createReadStream, createWriteStream, existsSync, rmSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { createInterface } from 'node:readline';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { SingleBar } from 'cli-progress';
import { currencyInfo, hasReportingRate, oneLine, validateEvent, type FieldError } from '../core/index.js';
import { amlworldRows, parseAmlworldPatterns, type AttemptsByRow } from '../ingest/datasets/amlworld.js';
import { csvRecords } from '../ingest/datasets/csv-rows.js';
import { commandLineMistake } from './cli-failure.js';
import { IdIndex } from './event-id-index.js';
import { DatasetError, type RowMapper } from '../ingest/datasets/format.js';
import { paysimDefaultStart, paysimRows, paysimStepOf } from '../ingest/datasets/paysim.js';
import { sparkovRows } from '../ingest/datasets/sparkov.js';
import { identityFileOf, ieeeCisRows, ieeeDevices, type IeeeDevice } from '../ingest/datasets/ieee-cis.js';

import { DATASET_FORMATS, type DatasetFormat } from './dataset-formats.js';

export type ImportOptions = {
  readonly format: DatasetFormat;
  readonly file: string;
  /** NDJSON output file, `-` for stdout. */
  readonly out: string;
  /** Where the data set's time starts (epoch ms): PaySim's first hour, IEEE-CIS's first day, or the first row of the others (default: as in the file). */
  readonly startMs?: number;
  /** PaySim's currency (it names none). */
  readonly currency: string;
  /** AMLworld's patterns file (default: `<name>_Patterns.txt` beside `<name>_Trans.csv`, when there is one). */
  readonly patterns?: string;
  /** IEEE-CIS's identity file (default: `<name>_identity.csv` beside `<name>_transaction.csv`, when there is one). */
  readonly identity?: string;
  /** Data rows to read at most. */
  readonly limit?: number;
  /** Event ids are `<prefix>-<line>`, or `<prefix>-<the data set's id>` where it has one (default: `defaultIdPrefix`, the format and the file's base name). */
  readonly idPrefix?: string;
};

export type ImportSummary = {
  /** Data rows read (the header aside). */
  readonly rows: number;
  readonly written: number;
  /** Rows the product cannot take, by reason. */
  readonly leftOut: ReadonlyMap<string, number>;
  /** The line of the first row left out for each reason. */
  readonly leftOutFirstLine?: ReadonlyMap<string, number>;
  /** Rows whose event failed its contract (a data set's oddity the mapping did not foresee). */
  readonly refused: number;
  /** Events labelled positive (fraud or aml). */
  readonly positives: number;
  /** With AMLworld's patterns file: laundering rows it did not list. */
  readonly unlisted?: number;
  readonly seconds: number;
  /** IEEE-CIS without its isFraud column: read as the unlabelled test file. */
  readonly unlabelled?: boolean;
  /** The reader of the output went away (`| head`): reading stopped there. */
  readonly readerGone?: boolean;
};

export type ImportOutput = {
  /** A line for the record (which file, the summary, refused rows). */
  report(line: string): void;
  /** Progress while reading: bytes of the file and rows so far (a bar at a terminal). */
  progress(stage: string, bytes: number, totalBytes: number, rows: number): void;
  done(): void;
};

/** A mistake in how import was called (a missing file, a wrong format): printed without a stack. */
export class ImportError extends Error {
  override readonly name = 'ImportError';
}

/** An ImportError about an option's value, to change on the command line: printed with where import's help is. */
function optionMistake(message: string): ImportError {
  return commandLineMistake(new ImportError(message));
}

/** Refused rows printed in full; the rest counted. */
const MAX_REPORTED = 20;
/** Distinct left-out reasons kept; the rest are counted under one. */
const MAX_REASONS = 20;

export async function runImport(options: ImportOptions, output: ImportOutput, nowMs: number = Date.now()): Promise<ImportSummary> {
  inputFile(options.file, 'file');
  if (options.out !== '-') refuseOverwrite(options.out, [options.file, options.identity, options.patterns]);
  checkOptions(options, nowMs);
  const totalBytes = statSync(options.file).size;
  const started = performance.now();
  const idPrefix = options.idPrefix ?? defaultIdPrefix(options.format, options.file);
  const open = await opener(options, output, totalBytes, nowMs, idPrefix);

  const out: Writable = options.out === '-' ? process.stdout : await openOutput(options.out);
  // The reader went away (`riskstream import … | head`): stop reading, say nothing more of it.
  let outError: Error | null = null;
  const onOutError = (error: Error): void => {
    outError = error;
    out.emit('drain');
  };
  out.on('error', onOutError);
  const source = createReadStream(options.file);
  const leftOut = new Map<string, number>();
  const leftOutFirstLine = new Map<string, number>();
  const leaveOut = (why: string, line: number): void => {
    const reason = leftOut.has(why) || leftOut.size < MAX_REASONS ? why : 'other reasons';
    leftOut.set(reason, (leftOut.get(reason) ?? 0) + 1);
    if (!leftOutFirstLine.has(reason)) leftOutFirstLine.set(reason, line);
  };
  const shape: { fields?: number } = {};
  let malformed = 0;
  let headerFields = 0;
  let headerNames: string[] = [];
  // Sparkov's and IEEE-CIS's ids are the data set's own: a repeated one would be written twice under one id
  const seenIds = options.format === 'sparkov' || options.format === 'ieee-cis' ? new IdIndex() : null;
  let mapper: RowMapper | null = null;
  let rows = 0;
  // counted as the stream hands each line on, so that a reader gone (`| head`) leaves a true count
  let written = 0;
  let pendingWrites = 0;
  let allWritten: (() => void) | null = null;
  const onWritten = (error?: Error | null): void => {
    pendingWrites--;
    if (!error) written++;
    if (pendingWrites === 0) allWritten?.();
  };
  let refused = 0;
  let positives = 0;
  let unlisted = 0;
  const progress = progressEvery(output, 'converting', totalBytes);
  let failed = false;
  try {
    for await (const csv of csvRecords(source, shape)) {
      if (outError !== null) break;
      const line = csv.line;
      if (mapper === null) {
        if ('malformed' in csv) throw new ImportError(`${options.file} line ${line}: the header cannot be read as CSV (${csv.malformed})`);
        mapper = open(csv.fields);
        headerFields = csv.fields.length;
        headerNames = csv.fields.map((f) => f.trim());
        shape.fields = headerFields;
        continue;
      }
      if (options.limit !== undefined && rows >= options.limit) break;
      rows++;
      // a row the CSV cannot be read of (a quote never closed, one in the middle of a field) is left out and named, not the end of the import
      if ('malformed' in csv) {
        leaveOut(`malformed CSV (${csv.malformed})`, line);
        // a file whose rows mostly cannot be read is not the data set as published: say so rather than write a sliver of it
        if (++malformed > 100 && malformed * 2 > rows) {
          throw new ImportError(`${options.file}: ${malformed} of the first ${rows} rows cannot be read as CSV (line ${line}: ${csv.malformed}): is it the ${options.format} file as published, comma-separated with "quotes"?`);
        }
        continue;
      }
      const record = csv.fields;
      // a field too many or too few shifts every column after it: such a row is left out, not read askew
      if (record.length !== headerFields) {
        leaveOut(`${record.length} fields where the header has ${headerFields}`, line);
        continue;
      }
      const result = mapper(record, line);
      if ('leftOut' in result) {
        leaveOut(result.leftOut, line);
        continue;
      }
      if (seenIds !== null && !seenIds.add(String(result.event.id), line)) {
        leaveOut(`its id ${options.format === 'sparkov' ? 'trans_num' : 'TransactionID'} repeats an earlier row's (the first is kept)`, line);
        continue;
      }
      const checked = validateEvent(result.event, undefined, nowMs);
      if (!checked.ok && options.startMs !== undefined && checked.errors.some((e) => e.path === '/ts' && e.rule === 'range')) {
        // the data set spans more time than lies between --start and now: every row after this one would be refused too
        throw optionMistake(`--start ${new Date(options.startMs).toISOString()} puts line ${line} at ${String(result.event.ts)}, more than 24 hours ahead of now (events so far ahead are refused): give an earlier --start`);
      }
      if (!checked.ok) {
        refused++;
        if (refused <= MAX_REPORTED) output.report(`import: line ${line} refused by the event contract: ${describe(checked.errors)}`);
        continue;
      }
      // IEEE-CIS's test file has no labels.
      const labels = (result.event.labels ?? {}) as { fraud?: boolean; aml?: boolean; patterns?: string[] };
      if (labels.fraud === true || labels.aml === true) positives++;
      if (labels.aml === true && labels.patterns?.[0] === 'laundering') unlisted++;
      pendingWrites++;
      if (!out.write(JSON.stringify(result.event) + '\n', onWritten)) await once(out, 'drain');
      progress.tick(source.bytesRead, rows);
    }
    progress.end(rows);
  } catch (error) {
    failed = true;
    if (error instanceof DatasetError) throw new ImportError(error.message);
    throw error;
  } finally {
    source.destroy();
    if (out !== process.stdout) {
      out.end();
      await finished(out).catch(() => undefined);
      // a file cut off part way would read as a smaller data set: the failed import leaves none behind
      if (failed) rmSync(options.out, { force: true });
    } else if (pendingWrites > 0) {
      // stdout is never ended: wait for its last lines to be handed on (or refused, the reader gone)
      await new Promise<void>((resolve) => {
        allWritten = resolve;
        if (outError !== null) setTimeout(resolve, 1000).unref();
      });
    }
    out.off('error', onOutError);
    output.done();
  }
  if (outError !== null && (outError as NodeJS.ErrnoException).code !== 'EPIPE') throw new ImportError(`could not write the events: ${(outError as Error).message}`);
  if (mapper === null) throw new ImportError(`${options.file} is empty: a ${options.format} file starts with its header line`);
  return {
    rows,
    written,
    leftOut,
    leftOutFirstLine,
    refused,
    positives,
    ...(options.format === 'amlworld' && open.patternsUsed ? { unlisted } : {}),
    seconds: (performance.now() - started) / 1000,
    ...(outError !== null ? { readerGone: true } : {}),
    ...(options.format === 'ieee-cis' && !headerNames.includes('isFraud') ? { unlabelled: true } : {}),
  };
}

/** Longest --id-prefix: the ids it starts (`<prefix>-<the data set's id>`, up to 32 characters for Sparkov's) must fit the contract's 128. */
export const MAX_ID_PREFIX = 80;
const ID_PREFIX = /^[A-Za-z0-9][A-Za-z0-9._:@-]*$/;
/** The contract's earliest event time (core/contracts/validate.ts). */
const EARLIEST_START_MS = Date.UTC(2000, 0, 1);
/** How far ahead of now the contract takes an event. */
const MAX_AHEAD_MS = 24 * 3_600_000;

/**
 * The default id prefix: the format and the file's base name (`paysim-PS_20174392719_1491204439457_log`,
 * `amlworld-HI-Small_Trans`), so that two files of one format (HI- and LI-Small, PaySim's chunks)
 * never share ids and overwrite each other's stored decisions. Characters an id cannot hold become `_`.
 */
export function defaultIdPrefix(format: DatasetFormat, file: string): string {
  const name = basename(file).replace(/\.[^.]*$/, '').replace(/[^A-Za-z0-9._:@-]/g, '_').slice(0, MAX_ID_PREFIX - format.length - 1);
  return name === '' ? format : `${format}-${name}`;
}

/** What can be known wrong before a row is read, said with the option to change. */
function checkOptions(options: ImportOptions, nowMs: number): void {
  if (currencyInfo(options.currency) === undefined) throw optionMistake(`--currency ${options.currency} is not an ISO 4217 code in use (for example USD, EUR, GBP)`);
  if (!hasReportingRate(options.currency)) {
    throw optionMistake(`--currency ${options.currency}: riskstream has no USD rate for it, so every event would be refused (rule fx_rate); add one with RISKSTREAM_FX_RATES (docs/events.md) or give another currency`);
  }
  const prefix = options.idPrefix;
  if (prefix !== undefined && (!ID_PREFIX.test(prefix) || prefix.length > MAX_ID_PREFIX)) {
    throw optionMistake(`--id-prefix "${oneLine(prefix, 40)}": give 1 to ${MAX_ID_PREFIX} letters, digits and . _ : @ -, starting with a letter or digit (event ids are <prefix>-<row>)`);
  }
  if (options.limit !== undefined && !(Number.isInteger(options.limit) && options.limit >= 1)) throw optionMistake('--limit must be a whole number of at least 1');
  const start = options.startMs;
  if (start !== undefined && (start < EARLIEST_START_MS || start > nowMs + MAX_AHEAD_MS)) {
    throw optionMistake(`--start ${new Date(start).toISOString()}: events must be after 2000-01-01 and at most 24 hours ahead of now; give an earlier --start`);
  }
}

type Opener = ((header: readonly string[]) => RowMapper) & { patternsUsed?: boolean };

/** What each format needs before the rows: PaySim each hour's row count, AMLworld its patterns file, IEEE-CIS its identity file. */
async function opener(options: ImportOptions, output: ImportOutput, totalBytes: number, nowMs: number, idPrefix: string): Promise<Opener> {
  const base = { idPrefix, currency: options.currency };
  try {
    if (options.identity !== undefined && options.format !== 'ieee-cis') throw optionMistake(`--identity is for ieee-cis, not ${options.format}`);
    if (options.format === 'paysim') {
      if (options.patterns !== undefined) throw optionMistake('--patterns is for amlworld; PaySim labels each row itself');
      const rowsPerStep = await countSteps(options.file, output, totalBytes);
      const startMs = options.startMs ?? paysimDefaultStart(nowMs);
      // the last hour's rows end just before start + hours: all of them must be at most 24 h ahead of now
      const hours = Math.max(0, ...rowsPerStep.keys());
      if (options.startMs !== undefined && startMs + hours * 3_600_000 - 1 > nowMs + MAX_AHEAD_MS) {
        const latest = Math.floor((nowMs + MAX_AHEAD_MS + 1 - hours * 3_600_000) / 60_000) * 60_000;
        throw optionMistake(
          `--start ${new Date(startMs).toISOString()}: this file's ${hours.toLocaleString('en-US')} hours would end more than 24 hours ahead of now, and events so far ahead are refused; give --start ${new Date(latest).toISOString()} or earlier (the default, ${new Date(paysimDefaultStart(nowMs)).toISOString()}, ends the month at the current hour)`,
        );
      }
      output.report(`import: PaySim's first hour starts ${new Date(startMs).toISOString()}; amounts in ${options.currency}`);
      return (header) => paysimRows(header, { ...base, startMs, rowsPerStep });
    }
    const start = options.startMs !== undefined ? { startMs: options.startMs } : {};
    if (options.format === 'sparkov') {
      if (options.patterns !== undefined) throw optionMistake('--patterns is for amlworld; Sparkov labels each row itself');
      return (header) => sparkovRows(header, { ...base, ...start });
    }
    if (options.format === 'ieee-cis') {
      if (options.patterns !== undefined) throw optionMistake('--patterns is for amlworld; IEEE-CIS labels each row itself');
      const sibling = identityFileOf(options.file);
      const identityFile = options.identity ?? (sibling !== undefined && existsSync(sibling) ? sibling : undefined);
      let devices: Map<string, IeeeDevice> | undefined;
      if (identityFile !== undefined) {
        inputFile(identityFile, 'identity file');
        if (options.out !== '-') refuseOverwrite(options.out, [identityFile]);
        devices = await readIdentity(identityFile, output);
        output.report(`import: devices from ${identityFile} (${devices.size.toLocaleString('en-US')} transactions)`);
      } else {
        output.report('import: no identity file (give --identity <name>_identity.csv): the payments carry no device');
      }
      if (options.startMs === undefined) output.report("import: TransactionDT counted from 2017-12-01 (give --start to move it)");
      return (header) => ieeeCisRows(header, { ...base, ...start, ...(devices ? { devices } : {}) });
    }
    const patternsFile = options.patterns ?? siblingPatterns(options.file);
    let attempts: AttemptsByRow | undefined;
    if (patternsFile !== undefined) {
      inputFile(patternsFile, 'patterns file');
      if (options.out !== '-') refuseOverwrite(options.out, [patternsFile]);
      try {
        attempts = parseAmlworldPatterns(await readLines(patternsFile));
      } catch (error) {
        throw new ImportError(`${patternsFile}: ${(error as Error).message}`);
      }
      output.report(`import: laundering typologies from ${patternsFile} (${attempts.size.toLocaleString('en-US')} transactions)`);
    } else {
      output.report('import: no patterns file (give --patterns <name>_Patterns.txt): laundering rows get the pattern "laundering"');
    }
    const open: Opener = (header) => amlworldRows(header, { ...base, ...start, ...(attempts ? { attempts } : {}) });
    open.patternsUsed = attempts !== undefined;
    return open;
  } catch (error) {
    if (error instanceof DatasetError) throw new ImportError(error.message);
    throw error;
  }
}

/** A file to read: a clear refusal for one missing or a folder, before anything is read or written. */
function inputFile(file: string, what: 'file' | 'identity file' | 'patterns file'): void {
  const stat = statSync(file, { throwIfNoEntry: false });
  if (stat === undefined) throw new ImportError(`no such ${what}: ${file}`);
  if (stat.isDirectory()) throw new ImportError(`${what === 'file' ? 'the data set' : `the ${what}`} ${file} is a folder: give the ${what === 'patterns file' ? '<name>_Patterns.txt' : 'CSV'} file itself`);
}

/** --out naming a file the import reads would empty it before it is read: refused while nothing is written. */
function refuseOverwrite(out: string, inputs: ReadonlyArray<string | undefined>): void {
  const target = statSync(out, { throwIfNoEntry: false });
  if (target === undefined) return;
  for (const input of inputs) {
    if (input === undefined) continue;
    const source = statSync(input, { throwIfNoEntry: false });
    if (source !== undefined && source.dev === target.dev && source.ino === target.ino) {
      throw new ImportError(`--out ${out} is the file it reads (${input}): writing would empty it; give another file for the events`);
    }
  }
}

/** IEEE-CIS's identity file: the device by transaction. Rows that cannot be read as CSV are counted and named; their transactions carry no device. */
async function readIdentity(file: string, output: ImportOutput): Promise<Map<string, IeeeDevice>> {
  const rows: string[][] = [];
  let malformed = 0;
  let firstMalformed = 0;
  const source = createReadStream(file);
  try {
    for await (const record of csvRecords(source, {})) {
      if ('malformed' in record) {
        if (rows.length === 0) throw new ImportError(`${file} line ${record.line}: the identity file's header cannot be read as CSV (${record.malformed})`);
        if (malformed++ === 0) firstMalformed = record.line;
        continue;
      }
      rows.push(record.fields);
    }
  } catch (error) {
    if (error instanceof ImportError) throw error;
    throw new ImportError(`cannot read the identity file ${file}: ${(error as Error).message}`);
  } finally {
    source.destroy();
  }
  if (malformed > 0) output.report(`import: ${malformed.toLocaleString('en-US')} rows of ${file} cannot be read as CSV (first at line ${firstMalformed.toLocaleString('en-US')}): their transactions carry no device`);
  try {
    return ieeeDevices(rows);
  } catch (error) {
    if (error instanceof DatasetError) throw new ImportError(`${file}: ${error.message}`);
    throw error;
  }
}

async function openOutput(file: string): Promise<Writable> {
  const stream = createWriteStream(file);
  try {
    await once(stream, 'open');
  } catch (error) {
    throw new ImportError(`cannot write ${file}: ${(error as Error).message}`);
  }
  return stream;
}

/** `X_Trans.csv` → `X_Patterns.txt` when that file exists. */
function siblingPatterns(file: string): string | undefined {
  const candidate = file.replace(/_Trans\.csv$/i, '_Patterns.txt');
  return candidate !== file && existsSync(candidate) ? candidate : undefined;
}

/** PaySim's first pass: rows per step, so that each hour's rows can be spread over it. */
async function countSteps(file: string, output: ImportOutput, totalBytes: number): Promise<Map<number, number>> {
  const counts = new Map<number, number>();
  const source = createReadStream(file);
  let rows = 0;
  const progress = progressEvery(output, 'counting hours', totalBytes);
  try {
    for await (const line of createInterface({ input: source, crlfDelay: Infinity })) {
      const step = paysimStepOf(line);
      if (step === null) continue;
      counts.set(step, (counts.get(step) ?? 0) + 1);
      rows++;
      progress.tick(source.bytesRead, rows);
    }
    progress.end(rows);
  } finally {
    output.done();
  }
  return counts;
}

/** A stage's progress at most every 250 ms while reading, and at 100 % at its end. */
function progressEvery(output: ImportOutput, stage: string, totalBytes: number): { tick(bytes: number, rows: number): void; end(rows: number): void } {
  let shownAt = 0;
  return {
    tick(bytes, rows) {
      const now = performance.now();
      if (now - shownAt < 250) return;
      shownAt = now;
      output.progress(stage, bytes, totalBytes, rows);
    },
    end: (rows) => output.progress(stage, totalBytes, totalBytes, rows),
  };
}

async function readLines(file: string): Promise<string[]> {
  const lines: string[] = [];
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) lines.push(line);
  return lines;
}

function describe(errors: readonly FieldError[]): string {
  return errors.map((e) => `${e.path || '(event)'} ${e.rule}: ${e.message}`).join('; ');
}

/** The summary as lines for the record. */
export function importSummaryLines(summary: ImportSummary, out: string): string[] {
  const n = (x: number): string => x.toLocaleString('en-US');
  const lines = [
    `import: ${n(summary.written)} of ${n(summary.rows)} rows written to ${out === '-' ? 'stdout' : out} in ${summary.seconds.toFixed(1)} s; ${n(summary.positives)} labelled positive`,
  ];
  if (summary.readerGone) lines.push(`import: stopped after ${n(summary.rows)} rows: the reader of the events went away (the rows after were not read)`);
  for (const [reason, count] of [...summary.leftOut].sort((a, b) => b[1] - a[1])) {
    const first = summary.leftOutFirstLine?.get(reason);
    lines.push(`import: ${n(count)} left out: ${reason}${first ? ` (${count === 1 ? 'line' : 'first at line'} ${n(first)})` : ''}`);
  }
  if (summary.refused > 0) lines.push(`import: ${n(summary.refused)} refused by the event contract (the first ${Math.min(summary.refused, MAX_REPORTED)} are listed above)`);
  if (summary.unlabelled) lines.push('import: the file has no isFraud column, so it was read as IEEE-CIS\'s unlabelled test file: its events carry no labels and replay --evaluate has nothing to measure them against');
  if (summary.unlisted !== undefined && summary.unlisted > 0) lines.push(`import: ${n(summary.unlisted)} laundering rows are not in the patterns file: their pattern is "laundering"`);
  // an unlabelled file has nothing to evaluate: the line above says so, and this one must not contradict it
  if (out !== '-' && summary.written > 0) lines.push(`import: next, with riskstream running: riskstream replay ${out}${summary.unlabelled ? '' : ' --evaluate'}`);
  return lines;
}

/** How often progress is written as a line where no terminal shows a bar (a log, a pipe). */
const PROGRESS_LINE_EVERY_MS = 5000;

/** Progress as a bar on stderr at a terminal, a line every 5 s otherwise. */
export function consoleImportOutput(stream: NodeJS.WriteStream = process.stderr, lineEveryMs = PROGRESS_LINE_EVERY_MS): ImportOutput {
  return stream.isTTY ? barOutput(stream) : lineOutput(stream, lineEveryMs);
}

/**
 * Plain lines for a log: a stage's progress once it has run 5 s, then every 5 s; none for a file
 * read sooner (the summary says the rest). cli-progress's own fallback wrote a bar at 0 % and a
 * blank line after each stage.
 */
function lineOutput(stream: NodeJS.WritableStream, everyMs: number): ImportOutput {
  let stage = '';
  let shownAt = 0;
  return {
    report: (line) => void stream.write(line + '\n'),
    progress(nextStage, bytes, totalBytes, rows) {
      const now = performance.now();
      if (nextStage !== stage) {
        stage = nextStage;
        shownAt = now;
      }
      if (now - shownAt < everyMs) return;
      shownAt = now;
      const percent = Math.floor((bytes / Math.max(totalBytes, 1)) * 100);
      stream.write(`import: ${stage} ${percent} % (${rows.toLocaleString('en-US')} rows)\n`);
    },
    done: () => undefined,
  };
}

function barOutput(stream: NodeJS.WriteStream): ImportOutput {
  let bar: SingleBar | null = null;
  let stage = '';
  const stop = (): void => {
    bar?.stop();
    bar = null;
  };
  return {
    report(line) {
      stop();
      stream.write(line + '\n');
    },
    progress(nextStage, bytes, totalBytes, rows) {
      if (bar === null || nextStage !== stage) {
        stop();
        stage = nextStage;
        bar = new SingleBar({
          format: `import: ${stage.padEnd(14)} [{bar}] {percentage}% | {rows} rows`,
          stream,
          hideCursor: true,
        });
        bar.start(Math.max(totalBytes, 1), 0, { rows: '0' });
      }
      bar.update(bytes, { rows: rows.toLocaleString('en-US') });
    },
    done: stop,
  };
}
