// `riskstream backup` and `riskstream restore`: what the namespace keeps in NATS KV (dashboard users,
// cases, lists, configuration) to a file and back. A NATS server that loses its store loses these
// with the streams (docs/operations.md, When NATS goes away); the events and decisions live on in
// ClickHouse, but a user or a case exists only here.
//
// The file is NDJSON: a header line, then one line per key with its bucket's short name (`users`,
// not `rs_users`, so that a backup restores into another namespace) and its value in base64.
// It holds password hashes and sealed second-factor secrets: it is written readable by its owner only.
// Since format 2 it ends with a line counting the keys, so that a file cut short at a line boundary
// is told from a whole one.
import { createReadStream, createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { finished } from 'node:stream/promises';
import type { Writable } from 'node:stream';
import { Kvm } from '@nats-io/kv';
import { Type, type Static } from '@sinclair/typebox';
import { Ajv, type ErrorObject } from 'ajv';
import { connectBus, ensureKvBuckets, names as namesOf, streamExists, type Bus, type Config, type Names } from '../core/index.js';
import { rolesProblem, usernameProblem } from '../dashboard/server/auth/username.js';

export const BACKUP_FORMAT = 'riskstream-kv-backup';

type BucketName = keyof Names['kv'];

const BucketNameSchema = Type.Union([Type.Literal('cases'), Type.Literal('lists'), Type.Literal('config'), Type.Literal('users')]);

const HeaderSchema = Type.Object(
  {
    format: Type.Literal(BACKUP_FORMAT),
    // 1: no end line (still read, with a warning); 2: the end line counts the keys
    v: Type.Union([Type.Literal(1), Type.Literal(2)]),
    namespace: Type.String({ minLength: 1 }),
    createdAt: Type.String({ minLength: 1 }),
    buckets: Type.Array(BucketNameSchema),
  },
  { additionalProperties: false },
);

const EntrySchema = Type.Object(
  {
    bucket: BucketNameSchema,
    // what NATS takes as a KV key: checked here, before anything is written
    key: Type.String({ minLength: 1, maxLength: 1024, pattern: '^[-/_=.a-zA-Z0-9]+$' }),
    value: Type.String({ pattern: '^[A-Za-z0-9+/]*={0,2}$' }),
  },
  { additionalProperties: false },
);

/** The last line of a format-2 backup: how many keys it holds. */
const EndSchema = Type.Object({ end: Type.Literal(true), keys: Type.Integer({ minimum: 0 }) }, { additionalProperties: false });

type Header = Static<typeof HeaderSchema>;
type Entry = Static<typeof EntrySchema>;
type End = Static<typeof EndSchema>;

const ajv = new Ajv({ allErrors: true, strict: true, coerceTypes: false, useDefaults: false });
const validHeader = ajv.compile<Header>(HeaderSchema);
const validEntry = ajv.compile<Entry>(EntrySchema);
const validEnd = ajv.compile<End>(EndSchema);

export class BackupFileError extends Error {
  override readonly name = 'BackupFileError';
}

export type BackupSummary = { readonly keys: Readonly<Record<BucketName, number>> };

const DEFAULT_FILE = (namespace: string, now: Date): string => `riskstream-backup-${namespace}-${now.toISOString().replace(/[:.]/g, '-')}.ndjson`;

/** `riskstream backup [file]`: the default file is named after the namespace and the time. */
export async function runBackupCommand(config: Config, file: string | undefined, print: (line: string) => void): Promise<void> {
  const names = namesOf(config.namespace);
  const target = file ?? DEFAULT_FILE(names.namespace, new Date());
  const bus = await connectBus(config.natsUrl, names, 'riskstream-backup');
  try {
    for (const bucket of Object.values(names.kv)) {
      await bus.jsm.streams.info(`KV_${bucket}`).catch((error: unknown) => {
        throw /not found/i.test((error as Error).message)
          ? new BackupFileError(`NATS at ${config.natsUrl} has no bucket ${bucket}: nothing of namespace "${names.namespace}" to back up (is RISKSTREAM_NAMESPACE right?)`)
          : error;
      });
    }
    const summary = await withBackupOutput(target, (out) => writeBackup(bus, out));
    // With `-` the backup itself is on stdout: the report goes to stderr.
    for (const line of backupReport(summary, target)) (target === '-' ? (l: string) => process.stderr.write(`${l}\n`) : print)(line);
  } finally {
    await bus.nc.close();
  }
}

/** `riskstream restore <file> [--replace]`: checks the whole file, then restores (creating the buckets when NATS lost them). */
export async function runRestoreCommand(config: Config, file: string, options: { readonly replace: boolean }, print: (line: string) => void): Promise<void> {
  let backup: ParsedBackup;
  try {
    backup = await readBackup(linesOf(file));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new BackupFileError(`${file}: no such file`);
    throw error;
  }
  const names = namesOf(config.namespace);
  const bus = await connectBus(config.natsUrl, names, 'riskstream-restore');
  try {
    // the buckets alone, as `users add` does: the streams reserve gigabytes and wait for a start
    const started = await streamExists(bus, names.streams.events);
    await ensureKvBuckets(bus);
    const from = backup.header.namespace === names.namespace ? '' : ` (backed up from namespace "${backup.header.namespace}")`;
    print(`restoring the backup of ${backup.header.createdAt}${from} into namespace "${names.namespace}"`);
    if (!started) {
      print(
        `  (namespace "${names.namespace}" has no streams on this NATS — not started yet, or NATS lost its store: its KV buckets were created, and its streams come with its next start; ` +
          'is RISKSTREAM_NAMESPACE right? `riskstream reset --yes` removes them)',
      );
    }
    if (backup.unchecked) print('  (a backup of format 1 has no end line: whether it was cut short cannot be checked)');
    const summary = await restoreBackup(bus, backup, options);
    for (const line of restoreReport(summary, options.replace)) print(line);
  } finally {
    await bus.nc.close();
  }
}

/** Writes every current key of the namespace's buckets (deleted keys are left out), header first. */
export async function writeBackup(bus: Bus, out: Writable, now: Date = new Date()): Promise<BackupSummary> {
  const buckets = Object.keys(bus.names.kv) as BucketName[];
  const keys = Object.fromEntries(buckets.map((b) => [b, 0])) as Record<BucketName, number>;
  const header: Header = { format: BACKUP_FORMAT, v: 2, namespace: bus.names.namespace, createdAt: now.toISOString(), buckets };
  await writeLine(out, JSON.stringify(header));
  const kvm = new Kvm(bus.nc);
  for (const bucket of buckets) {
    const kv = await kvm.open(bus.names.kv[bucket]);
    const names: string[] = [];
    for await (const key of await kv.keys()) names.push(key);
    names.sort();
    for (const key of names) {
      const entry = await kv.get(key);
      if (!entry || entry.operation !== 'PUT') continue;
      const line: Entry = { bucket, key, value: Buffer.from(entry.value).toString('base64') };
      await writeLine(out, JSON.stringify(line));
      keys[bucket]++;
    }
  }
  const end: End = { end: true, keys: Object.values(keys).reduce((a, b) => a + b, 0) };
  await writeLine(out, JSON.stringify(end));
  return { keys };
}

function writeLine(out: Writable, line: string): Promise<void> {
  return new Promise((resolve, reject) => {
    out.write(`${line}\n`, (error) => (error ? reject(error) : resolve()));
  });
}

export type ParsedBackup = {
  readonly header: Header;
  readonly entries: readonly Entry[];
  /** A format-1 file: it has no end line, so a cut-off one cannot be told from a whole one. */
  readonly unchecked?: boolean;
};

/** A backup's first line, as `riskstream backup` writes it: shown when a file does not start with one. */
const HEADER_EXAMPLE = `{"format":"${BACKUP_FORMAT}","v":2,"namespace":"…","createdAt":"…","buckets":[…]}`;

/**
 * A file whose first line is no backup header is most likely no backup at all (another file given
 * by mistake): say so, and what a backup's first line is, rather than only what is wrong with that line.
 */
function notABackup(number: number, problem: string): BackupFileError {
  return new BackupFileError(`line ${number}: ${problem}: the file is not a riskstream backup, whose first line is its header, ${HEADER_EXAMPLE}; give a file written by \`riskstream backup\``);
}

/**
 * Reads and checks a whole backup before anything is written: a bad line stops the restore with
 * its number and what is wrong, so that a truncated or edited file never half-restores.
 */
export async function readBackup(lines: AsyncIterable<string>): Promise<ParsedBackup> {
  let header: Header | undefined;
  let end: End | undefined;
  const entries: Entry[] = [];
  const seen = new Set<string>();
  let number = 0;
  for await (const raw of lines) {
    number++;
    const line = raw.trim();
    if (line.length === 0) continue;
    if (end) throw new BackupFileError(`line ${number}: after the end line; the file was edited or joined to another`);
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      const problem = `not JSON (${(error as Error).message})`;
      throw header ? new BackupFileError(`line ${number}: ${problem}`) : notABackup(number, problem);
    }
    if (!header) {
      if (!validHeader(value)) throw notABackup(number, `not a riskstream backup header (${problems(validHeader.errors)})`);
      header = value;
      continue;
    }
    if (header.v === 2 && validEnd(value)) {
      if (value.keys !== entries.length) throw new BackupFileError(`line ${number}: the end line counts ${value.keys} keys, the file holds ${entries.length}; it was edited`);
      end = value;
      continue;
    }
    if (!validEntry(value)) throw new BackupFileError(`line ${number}: ${problems(validEntry.errors)}`);
    const bad = value.bucket === 'users' ? userRecordProblem(value.key, value.value) : null;
    if (bad !== null) throw new BackupFileError(`line ${number}: the user "${value.key}" ${bad}`);
    const id = `${value.bucket}\u0000${value.key}`;
    if (seen.has(id)) throw new BackupFileError(`line ${number}: the key "${value.key}" of ${value.bucket} appears twice`);
    seen.add(id);
    entries.push(value);
  }
  if (!header) throw new BackupFileError('the file is empty: a backup starts with its header line');
  if (header.v === 2 && !end) throw new BackupFileError(`the file ends at line ${number} without its end line: it was cut short (${entries.length} keys read); use a whole backup`);
  return { header, entries, ...(header.v === 1 ? { unchecked: true } : {}) };
}

/**
 * What is wrong with a user record from a backup, or null: sign-in and `users list` read every
 * record, so one that is not a user (a damaged or edited file) must not be restored.
 */
function userRecordProblem(key: string, base64: string): string | null {
  let record: unknown;
  try {
    record = JSON.parse(Buffer.from(base64, 'base64').toString('utf8'));
  } catch {
    return 'is not a JSON record';
  }
  if (typeof record !== 'object' || record === null) return 'is not a JSON record';
  const r = record as Record<string, unknown>;
  if (r.username !== key) return `is stored under another name (${JSON.stringify(r.username)})`;
  const nameProblem = usernameProblem(key);
  if (nameProblem !== null) return nameProblem;
  if (!Array.isArray(r.roles) || r.roles.some((role) => typeof role !== 'string')) return 'has no list of roles';
  const roleProblem = rolesProblem(r.roles as string[]);
  if (roleProblem !== null) return roleProblem;
  if (typeof r.passwordHash !== 'string' || !r.passwordHash.startsWith('$scrypt$')) return 'has no password hash';
  if (typeof r.disabled !== 'boolean') return 'does not say whether it is disabled';
  return null;
}

function problems(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`).join('; ');
}

export type RestoreCounts = { restored: number; replaced: number; kept: number };
export type RestoreSummary = { readonly buckets: Readonly<Record<BucketName, RestoreCounts>> };

/**
 * Puts the backup's keys into the namespace's buckets. A key that already exists is kept as it is
 * unless `replace` (then the backup's value wins): restoring into a running installation never
 * undoes a change made since the backup without being asked to.
 */
export async function restoreBackup(bus: Bus, backup: ParsedBackup, options: { readonly replace?: boolean } = {}): Promise<RestoreSummary> {
  const buckets = Object.fromEntries((Object.keys(bus.names.kv) as BucketName[]).map((b) => [b, { restored: 0, replaced: 0, kept: 0 }])) as Record<BucketName, RestoreCounts>;
  const kvm = new Kvm(bus.nc);
  const open = new Map<BucketName, Awaited<ReturnType<Kvm['open']>>>();
  for (const entry of backup.entries) {
    let kv = open.get(entry.bucket);
    if (!kv) {
      kv = await kvm.open(bus.names.kv[entry.bucket]);
      open.set(entry.bucket, kv);
    }
    const value = Buffer.from(entry.value, 'base64');
    const current = await kv.get(entry.key);
    const exists = current !== null && current.operation === 'PUT';
    if (!exists) {
      await kv.put(entry.key, value);
      buckets[entry.bucket].restored++;
    } else if (options.replace) {
      await kv.put(entry.key, value);
      buckets[entry.bucket].replaced++;
    } else {
      buckets[entry.bucket].kept++;
    }
  }
  return { buckets };
}

/** Lines of a file, or of stdin for `-`. */
export function linesOf(file: string): AsyncIterable<string> {
  const input = file === '-' ? process.stdin : createReadStream(file, { encoding: 'utf8' });
  return createInterface({ input, crlfDelay: Infinity });
}

/** A file only its owner can read (the backup holds password hashes), or stdout for `-`. */
export async function withBackupOutput<T>(file: string, write: (out: Writable) => Promise<T>, stdout: Writable = process.stdout): Promise<T> {
  if (file === '-') return toStdout(stdout, write);
  const out = createWriteStream(file, { mode: 0o600, flags: 'wx' });
  await new Promise<void>((resolve, reject) => {
    out.once('open', () => resolve());
    out.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EEXIST'
          ? new BackupFileError(`${file} exists; choose another name or remove it first`)
          : new BackupFileError(`cannot write ${file} (${error.code ?? error.message}); choose a folder that exists and that this user can write`),
      ),
    );
  });
  try {
    return await write(out);
  } finally {
    out.end();
    await finished(out);
  }
}

/**
 * A backup on stdout whose reader goes away is cut off: unlike a listing, that is a failure to say
 * (the general handler ends a command quietly with 0 when stdout closes; this one listens itself).
 */
async function toStdout<T>(stdout: Writable, write: (out: Writable) => Promise<T>): Promise<T> {
  let closed = false;
  const onError = (error: NodeJS.ErrnoException): void => {
    if (error.code === 'EPIPE') closed = true;
  };
  stdout.on('error', onError);
  try {
    return await write(stdout);
  } catch (error) {
    if (closed || (error as NodeJS.ErrnoException).code === 'EPIPE') {
      throw new BackupFileError('stdout was closed before the backup was complete: what its reader got is cut off and cannot be restored; write it to a file instead, or keep the reader open');
    }
    throw error;
  } finally {
    stdout.off('error', onError);
  }
}

/** One line per bucket, for the command's report. */
export function backupReport(summary: BackupSummary, file: string): string[] {
  const total = Object.values(summary.keys).reduce((n, k) => n + k, 0);
  const per = Object.entries(summary.keys).map(([bucket, n]) => `${bucket} ${n}`).join(', ');
  return [`backed up ${total} keys (${per}) to ${file === '-' ? 'stdout' : file}`, ...(file === '-' ? [] : ['it holds password hashes: keep it as you keep secrets'])];
}

export function restoreReport(summary: RestoreSummary, replace: boolean): string[] {
  const lines = Object.entries(summary.buckets)
    .filter(([, c]) => c.restored + c.replaced + c.kept > 0)
    .map(([bucket, c]) => `${bucket}: ${c.restored} restored, ${c.replaced} replaced, ${c.kept} kept as they are`);
  const kept = Object.values(summary.buckets).reduce((n, c) => n + c.kept, 0);
  if (lines.length === 0) lines.push('the backup holds no keys: nothing restored');
  if (kept > 0 && !replace) lines.push(`${kept} keys already existed and were kept; --replace puts the backup's values over them`);
  return lines;
}
