// The minutes an insert is about to touch, written to the data folder before the insert, so that
// the next start knows which minutes a kill may have torn (repair-aggregates.ts).
//
// An insert commits its raw part and its view's part separately. The start-up repair finds a torn
// minute from the raw table's newest parts — but when only the view's part committed, the batch's
// rows are in no raw part, and a minute that nothing else wrote lately (late events, quiet
// traffic) would never be compared: the redelivered rows are then stored and counted a second
// time. This record names those minutes whatever was committed.
//
// One file per database and raw table (`<dataDir>/writer-inflight/<database>.<table>.json`):
// each table's sink inserts one batch at a time, so no two writes race on a file. The record is
// the file's first line, written over the old one in place: no truncation and no rename, which
// ext4 answers by starting the data's write-back at once (auto_da_alloc): 0.2–0.8 ms a write and
// 4 ms at p99, measured, against 6 µs and 50 µs at p99 in place (docs/storage.md). A kill cuts a write only
// past its first page (a record of hundreds of minutes: a backfill); the line then mixes the new
// record's head with the old one's tail, which `check` (the `write` number, repeated last) tells
// apart, and it is ignored: the insert it came before had not begun.
//
// Each write is made durable before the insert begins (fdatasync: the data, and the size when the
// record grew; a record is read by its content, not its times), and the file's creation too (an
// fsync of the folder, and of the data folder when the folder was made), so that after a power
// cut or a host crash the record names the minutes of the insert the cut may have torn, as a
// SIGKILL's page cache does. The syncs run on libuv's thread pool, not on the event loop: one
// costs 0.3 ms at the median and tens of ms at the worst on a busy disk, which the insert waits
// for and the processors sharing the thread do not (docs/storage.md).
//
// Minutes of an insert that threw (part of it may be stored) and minutes of a record the start
// did not clear (its repair failed) stay in every later record until they are repaired: by the
// running writer after its next insert into the table that succeeds (table-sink.ts), or by a
// start. A clean stop (the writer drained: every insert ended) leaves only those: none, and the
// record is removed, so that the next start compares nothing for it.
import { chmodSync, closeSync, constants, fdatasync, fsync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import type { Logger } from '../../core/index.js';
import type { RawTable } from '../schema/tables.js';
import { assertDatabaseName } from '../sql.js';

/** The record's folder inside the data folder (RISKSTREAM_DATA_DIR). */
export const INFLIGHT_FOLDER = 'writer-inflight';

const VERSION = 1;

/** Minutes kept in doubt at most (a week of minutes): a long outage must not grow the record without end. */
const MAX_DOUBTFUL = 7 * 24 * 60;

/**
 * What a record file's first line holds. `write` numbers the writes of one process (from a random
 * start, so that another process's record does not share it) and `check` repeats it after the
 * minutes: a line whose two differ is the head of one write and the tail of an older one.
 */
type InflightRecord = {
  readonly v: typeof VERSION;
  readonly database: string;
  readonly table: RawTable;
  readonly write: number;
  readonly minutes: readonly number[];
  readonly check: number;
};

/** Opened for writing over what is there, never truncated: an existing record. */
const WRITE_IN_PLACE = constants.O_WRONLY;
/** The first record: created. */
const CREATE = constants.O_WRONLY | constants.O_CREAT;

const syncData = promisify(fdatasync);
const syncAll = promisify(fsync);

export function inflightPath(dataDir: string, database: string, table: RawTable): string {
  return join(dataDir, INFLIGHT_FOLDER, `${assertDatabaseName(database)}.${table}.json`);
}

function isMinute(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value % 60 === 0;
}

/**
 * The minutes a table's record names: none when there is no record (a first start, or one left by
 * a version that kept none), and none, with a warning, when it cannot be read or is not a record
 * (cut short, edited by hand): start-up never fails for it.
 */
export function readInflightMinutes(dataDir: string, database: string, table: RawTable, logger: Logger): number[] {
  const path = inflightPath(dataDir, database, table);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') logger.warn({ err: error, path }, 'could not read the minutes of the last inserts; only the newest parts are compared');
    return [];
  }
  // The first line is the record; what follows is what is left of a longer, older one.
  const end = text.indexOf('\n');
  let record: Partial<InflightRecord> | null = null;
  try {
    record = JSON.parse(end < 0 ? text : text.slice(0, end)) as Partial<InflightRecord> | null;
  } catch {
    // named below
  }
  const minutes = record?.minutes;
  if (
    end < 0 ||
    record?.v !== VERSION ||
    record.database !== database ||
    record.table !== table ||
    typeof record.write !== 'number' ||
    record.check !== record.write ||
    !Array.isArray(minutes) ||
    !minutes.every(isMinute)
  ) {
    logger.warn({ path, bytes: text.length }, 'the record of the minutes of the last inserts is not readable; ignored, only the newest parts are compared');
    return [];
  }
  return [...minutes];
}

/** The mode the record's folder is made with: 0700, as every folder riskstream makes for its data (docs/operations.md). */
const FOLDER_MODE = 0o700;

/** What `closeInflightFolder` found: the folder closed (from its old mode), or closing it failed. */
export type InflightFolderMode =
  | { readonly type: 'inflight_folder_closed'; readonly path: string; readonly from: number }
  | { readonly type: 'inflight_folder_open'; readonly path: string; readonly mode: number; readonly code: string };

/**
 * Closes the record's folder to the machine's other users when an older riskstream made it open
 * (0755 before 2026-12-07; new ones are made 0700): run at start, so that a data folder keeps the
 * mode it would have if made today. The folder is riskstream's own, not one the operator chose or
 * reads, so its mode is set rather than warned about. A chmod that fails (another owner, a
 * read-only file system) is logged and start goes on: the folder holds only minute numbers, and
 * the data folder around it is what keeps the data from others (its mode is warned about at start).
 */
export function closeInflightFolder(dataDir: string, logger: Logger): InflightFolderMode | null {
  const path = join(dataDir, INFLIGHT_FOLDER);
  let mode: number;
  try {
    mode = statSync(path).mode & 0o777;
  } catch {
    return null; // none yet: the first insert makes it 0700
  }
  if ((mode & 0o077) === 0) return null;
  try {
    chmodSync(path, mode & FOLDER_MODE);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown';
    logger.warn({ path, mode: mode.toString(8), code }, `the writer's in-flight record folder ${path} is open to other users (mode ${mode.toString(8)}) and could not be closed (${code}); close it with: chmod 700 ${path}`);
    return { type: 'inflight_folder_open', path, mode, code };
  }
  logger.info({ path, from: mode.toString(8) }, `closed the writer's in-flight record folder to other users (mode ${mode.toString(8)}, made by an older riskstream, now 700)`);
  return { type: 'inflight_folder_closed', path, from: mode };
}

/** Removes the records of the given tables, once their minutes are repaired. */
export function clearInflightMinutes(dataDir: string, database: string, tables: readonly RawTable[]): void {
  for (const table of tables) {
    const path = inflightPath(dataDir, database, table);
    rmSync(path, { force: true });
  }
}

/** One raw table's record, kept by its sink. */
export class InflightMinutes {
  readonly path: string;
  private readonly _database: string;
  private readonly _table: RawTable;
  private readonly _logger: Logger;
  /** Minutes that may be torn whatever the next insert does: of inserts that threw, or left unrepaired at start. */
  private readonly _doubtful: Set<number>;
  /** Set after a failed write, so that a broken folder warns once rather than every second. */
  private _failing = false;
  /** The last write's number (InflightRecord.write): from a random start, so that no other process's record shares it. */
  private _write = Math.floor(Math.random() * 2 ** 40);

  constructor(dataDir: string, database: string, table: RawTable, logger: Logger) {
    this.path = inflightPath(dataDir, database, table);
    this._database = database;
    this._table = table;
    this._logger = logger;
    // A record still here was not repaired (the start's repair failed): keep its minutes for the next start.
    this._doubtful = new Set(readInflightMinutes(dataDir, database, table, logger));
  }

  /**
   * Records the minutes of the insert about to be made, with those in doubt, durably: the insert
   * begins once this resolves. Never rejects: a failed write is logged, and the insert goes on
   * (storing the rows matters more than the figures of a minute after a kill).
   */
  async beforeInsert(minutes: Iterable<number>): Promise<void> {
    const all = new Set(this._doubtful);
    for (const minute of minutes) all.add(minute);
    await this._record(all);
  }

  /**
   * The writer stopped cleanly: every insert ended, stored or failed. The record keeps only the
   * minutes in doubt (of inserts that threw, or left unrepaired at start); when there are none it
   * is removed, and the next start has nothing of this table's to compare. Never rejects.
   */
  async stopped(): Promise<void> {
    if (this._doubtful.size > 0) {
      await this._record(this._doubtful);
      return;
    }
    try {
      rmSync(this.path, { force: true });
    } catch (error) {
      // Left as it is, its minutes are compared at the next start, and found whole.
      this._logger.warn({ err: error, table: this._table, path: this.path }, 'could not remove the record of the minutes of the last insert');
    }
  }

  private async _record(minutes: ReadonlySet<number>): Promise<void> {
    const write = ++this._write;
    const record: InflightRecord = { v: VERSION, database: this._database, table: this._table, write, minutes: [...minutes].sort((a, b) => a - b), check: write };
    const line = Buffer.from(`${JSON.stringify(record)}\n`);
    try {
      const { fd, created } = this._open();
      try {
        // A short write is rare on a local file, but not excluded: go on from where it stopped.
        for (let done = 0; done < line.length; ) done += writeSync(fd, line, done, line.length - done, done);
        if (created !== null) await syncFolders(created);
        await syncData(fd);
      } finally {
        closeSync(fd);
      }
      if (this._failing) this._logger.info({ table: this._table, path: this.path }, 'the minutes of each insert are recorded again');
      this._failing = false;
    } catch (error) {
      if (!this._failing) {
        this._logger.warn(
          { err: error, table: this._table, path: this.path },
          "could not record the minutes of an insert; after a kill now, the start-up repair compares only the newest parts' minutes",
        );
      }
      this._failing = true;
    }
  }

  /**
   * The record, opened for writing in place; created when missing (the first insert, or removed by
   * a clean stop or under a running writer), with its folder. `created` then lists the folders
   * whose names changed (the record's, and those that hold a folder made), for the caller to sync.
   */
  private _open(): { readonly fd: number; readonly created: readonly string[] | null } {
    try {
      return { fd: openSync(this.path, WRITE_IN_PLACE), created: null };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    const folder = dirname(this.path);
    // 0700, as every folder riskstream makes for its data (docs/operations.md): its user's alone
    const made = mkdirSync(folder, { recursive: true, mode: FOLDER_MODE });
    const created = [folder];
    // every folder made holds its name in its parent: up to the one that was there
    if (made !== undefined) for (let dir = folder; dir !== dirname(made); ) created.push((dir = dirname(dir)));
    return { fd: openSync(this.path, CREATE, 0o644), created };
  }

  /** The minutes in doubt: of inserts that threw, or left unrepaired at start. */
  inDoubt(): number[] {
    return [...this._doubtful];
  }

  /**
   * The minutes were compared with the stored rows (and rebuilt where they differed) while the
   * writer runs: no longer in doubt. The record drops them at the next insert's write.
   */
  mended(minutes: Iterable<number>): void {
    for (const minute of minutes) this._doubtful.delete(minute);
  }

  /** The insert threw: part of it may be stored. Its minutes are compared after the next insert that succeeds, or at the next start. */
  insertFailed(minutes: Iterable<number>): void {
    for (const minute of minutes) this._doubtful.add(minute);
    if (this._doubtful.size <= MAX_DOUBTFUL) return;
    // The oldest go first: the newest are those a retry is still working on.
    const sorted = [...this._doubtful].sort((a, b) => a - b);
    for (const minute of sorted.slice(0, sorted.length - MAX_DOUBTFUL)) this._doubtful.delete(minute);
  }
}

/** Makes the names the folders hold durable (a file created in one, or a folder made). */
async function syncFolders(folders: readonly string[]): Promise<void> {
  for (const folder of folders) {
    const fd = openSync(folder, constants.O_RDONLY);
    try {
      await syncAll(fd);
    } finally {
      closeSync(fd);
    }
  }
}
