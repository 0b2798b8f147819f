// An exclusive, process-level lock on the embedded chDB data folder. libchdb binds one folder per
// process and a second process on the same folder fails with an unhelpful message (or worse, on
// an older engine, corrupts it), so we refuse first and say what to do instead.
// This module imports only Node built-ins: the lock test runs it in a child process as plain JS.
import { closeSync, linkSync, openSync, readFileSync, renameSync, statSync, unlinkSync, utimesSync, writeFileSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';

export const LOCK_FILE = 'riskstream.lock';

/**
 * The holder renews its lock (the file's modification time) this often. An owner on another host
 * cannot be asked whether it lives (a container restarted under a new host name leaves its lock
 * behind), so its lock counts as held only while it is renewed: one not renewed for LEASE_STALE_MS
 * is stale and taken over.
 */
export const LEASE_RENEW_MS = 10_000;
export const LEASE_STALE_MS = 45_000;

/** The data folder cannot be written (a full or read-only file system): names it and what to do. */
export class DataFolderUnwritableError extends Error {
  override readonly name = 'DataFolderUnwritableError';
}

export class DataFolderInUseError extends Error {
  override readonly name = 'DataFolderInUseError';
  readonly ownerPid: number;
  /** For an owner on another host: how long ago it last renewed the lock, ms. */
  constructor(folder: string, ownerPid: number, ownerHost: string, renewedAgoMs?: number) {
    const elsewhere =
      ownerHost === hostname() || renewedAgoMs === undefined
        ? ''
        : ` on ${ownerHost} (its lock ${join(folder, LOCK_FILE)} was renewed ${Math.round(renewedAgoMs / 1000)} s ago; if that process is gone — a container restarted under a new host name — start again in ${Math.ceil((LEASE_STALE_MS - renewedAgoMs) / 1000)} s: a lock not renewed for ${LEASE_STALE_MS / 1000} s is taken over)`;
    super(
      `the embedded ClickHouse data folder ${folder} is owned by process ${ownerPid}${elsewhere}` +
        '. chDB lets one process at a time open a data folder: stop that process, or, to run ' +
        'ClickHouse-using roles (writer, api) in separate processes, start a ClickHouse server and set CLICKHOUSE_URL.',
    );
    this.ownerPid = ownerPid;
  }
}

type Owner = { readonly pid: number; readonly host: string; readonly startTicks: string | null };

export type DataFolderLock = {
  readonly folder: string;
  /** Gives the lock up; the last holder in this process removes the file. Idempotent. */
  release(): void;
};

/** Holders in this process, by folder: one process may open the folder several times. */
const held = new Map<string, number>();
/** The timers renewing the locks this process holds, by folder. */
const renewals = new Map<string, NodeJS.Timeout>();
let exitHookInstalled = false;

/** Takes the lock on `folder` (which must exist) or throws DataFolderInUseError naming the owner. */
export function acquireDataFolderLock(folder: string): DataFolderLock {
  const path = join(folder, LOCK_FILE);
  const me: Owner = { pid: process.pid, host: hostname(), startTicks: startTicksOf(process.pid) };
  for (let attempt = 0; attempt < 5; attempt++) {
    if (held.has(folder)) return holding(folder, path);
    if (tryCreate(path, me)) {
      installExitHook();
      return holding(folder, path);
    }
    const owner = readOwner(path);
    if (owner === undefined) continue; // removed between our attempt and our read: try again
    if (owner === null) {
      // Unreadable. Locks appear complete (see tryCreate), so this one was damaged: stale.
      takeOverStale(path, owner);
      continue;
    }
    if (owner.pid === me.pid && owner.host === me.host) {
      // Left behind by an earlier holder in this process that did not release (crashed test).
      takeOverStale(path, owner);
      continue;
    }
    if (owner.host !== me.host) {
      const renewedAgo = renewedAgoMs(path);
      if (renewedAgo === undefined) continue; // gone meanwhile
      if (renewedAgo < LEASE_STALE_MS) throw new DataFolderInUseError(folder, owner.pid, owner.host, renewedAgo);
    } else if (isAlive(owner)) {
      throw new DataFolderInUseError(folder, owner.pid, owner.host);
    }
    takeOverStale(path, owner);
  }
  throw new Error(`could not take the lock ${path}: it keeps changing hands`);
}

function holding(folder: string, path: string): DataFolderLock {
  held.set(folder, (held.get(folder) ?? 0) + 1);
  if (!renewals.has(folder)) {
    const timer = setInterval(() => renew(path), LEASE_RENEW_MS);
    timer.unref();
    renewals.set(folder, timer);
  }
  let released = false;
  return {
    folder,
    release() {
      if (released) return;
      released = true;
      const count = (held.get(folder) ?? 1) - 1;
      if (count > 0) {
        held.set(folder, count);
        return;
      }
      held.delete(folder);
      clearInterval(renewals.get(folder));
      renewals.delete(folder);
      removeIfOurs(path);
    },
  };
}

/** Writes the owner record to a private file, then links it into place: the lock appears complete or not at all. */
function tryCreate(path: string, me: Owner): boolean {
  const temp = `${path}.${me.pid}.${Date.now()}.tmp`;
  try {
    const fd = openSync(temp, 'wx');
    try {
      writeSync(fd, JSON.stringify({ pid: me.pid, host: me.host, startTicks: me.startTicks, since: new Date().toISOString() }));
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    try {
      unlinkSync(temp);
    } catch {
      // never created, or not removable either: nothing more to do
    }
    // a full or read-only file system: say which folder and what to do, not a stack trace
    const e = error as NodeJS.ErrnoException;
    throw new DataFolderUnwritableError(
      `cannot write to the data folder ${dirname(path)} (${e.code ?? 'error'}: ${systemReason(e)}): ` +
        (e.code === 'ENOSPC' || e.code === 'EDQUOT' ? 'free space on its file system' : 'check that it is writable') +
        ', or set RISKSTREAM_DATA_DIR to another folder',
    );
  }
  try {
    linkSync(temp, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    unlinkSync(temp);
  }
}

/** The owner record; null when unreadable, undefined when there is no lock file. */
function readOwner(path: string): Owner | null | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const value = JSON.parse(text) as { pid?: unknown; host?: unknown; startTicks?: unknown };
    if (typeof value.pid !== 'number' || typeof value.host !== 'string') return null;
    return { pid: value.pid, host: value.host, startTicks: typeof value.startTicks === 'string' ? value.startTicks : null };
  } catch {
    return null;
  }
}

/**
 * Moves a stale lock aside under a name of our own, then checks that what we moved is the stale
 * record we judged: when two processes take over the same stale lock at once, the slower one may
 * have moved the faster one's fresh lock, and puts it back.
 */
function takeOverStale(path: string, judged: Owner | null): void {
  const aside = `${path}.stale.${process.pid}`;
  try {
    renameSync(path, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  const moved = readOwner(aside);
  const same = moved === judged || (moved && judged && moved.pid === judged.pid && moved.host === judged.host);
  if (!same) {
    try {
      linkSync(aside, path);
    } catch {
      // Someone else holds it now; our next attempt reads and judges that holder.
    }
  }
  unlinkSync(aside);
}

/**
 * The file system's clock, read from a file written just now beside the lock: hosts sharing a
 * folder compare the lease against one clock (the file server's), so that a host whose own clock
 * runs behind neither looks stale nor takes a live lock over.
 */
function fileSystemNow(folder: string): number {
  const probe = join(folder, `${LOCK_FILE}.clock.${process.pid}`);
  writeFileSync(probe, '');
  try {
    return statSync(probe).mtimeMs;
  } finally {
    unlinkSync(probe);
  }
}

/** How long ago the lock was last renewed (its modification time, against the file system's clock), ms; undefined when it is gone. */
function renewedAgoMs(path: string): number | undefined {
  try {
    const renewedAt = statSync(path).mtimeMs;
    return Math.max(0, fileSystemNow(dirname(path)) - renewedAt);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Folders whose lock was found taken over while this process held it (said once). */
const takenFromUs = new Set<string>();

/** Renews the lease on a lock this process holds; a lock no longer ours (taken over) is left alone, and said so once. */
function renew(path: string): void {
  try {
    const owner = readOwner(path);
    if (owner && owner.pid === process.pid && owner.host === hostname()) {
      const now = new Date(fileSystemNow(dirname(path)));
      utimesSync(path, now, now);
    } else if (!takenFromUs.has(path)) {
      takenFromUs.add(path);
      process.emitWarning(
        `the lock ${path} of this process's ClickHouse data folder now names ${owner ? `process ${owner.pid} on ${owner.host}` : 'no process'}: ` +
          'another riskstream may be writing to the same folder; stop one of them',
        { code: 'RS_DATA_FOLDER_LOCK_LOST' },
      );
    }
  } catch {
    // a file system gone read-only or full: the next renewal tries again
  }
}

/** Whether a process on this host that holds the lock still runs (and is the one that took it). */
function isAlive(owner: Owner): boolean {
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  // The pid lives; if it started at another time it is a new process that reused the number.
  const ticks = startTicksOf(owner.pid);
  return owner.startTicks === null || ticks === null || ticks === owner.startTicks;
}

/** Process start time in clock ticks since boot (Linux /proc), to tell a reused pid from its owner. */
function startTicksOf(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may hold spaces; starttime is field 22.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? null;
  } catch {
    return null;
  }
}

function removeIfOurs(path: string): void {
  const owner = readOwner(path);
  if (owner && owner.pid === process.pid && owner.host === hostname()) {
    try {
      unlinkSync(path);
    } catch {
      // already gone
    }
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const folder of held.keys()) removeIfOurs(join(folder, LOCK_FILE));
    held.clear();
    for (const timer of renewals.values()) clearInterval(timer);
    renewals.clear();
  });
}

/**
 * What the system said, without what the message repeats around it: Node's reads
 * `EACCES: permission denied, open '<the lock's temporary file>'`, whose code the caller names and
 * whose file (a name of the lock's making) is no business of the operator's.
 */
function systemReason(error: NodeJS.ErrnoException): string {
  const withoutCode = error.code && error.message.startsWith(`${error.code}: `) ? error.message.slice(error.code.length + 2) : error.message;
  return error.syscall && withoutCode.includes(`, ${error.syscall} `) ? withoutCode.slice(0, withoutCode.indexOf(`, ${error.syscall} `)) : withoutCode;
}
