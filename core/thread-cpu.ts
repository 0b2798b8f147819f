// CPU time per thread of this process, by what the thread does: the main thread, each worker
// thread that names itself (the processors, the writer's mapping), the storage engine's threads
// (embedded chDB names its own), and the rest of Node's runtime (V8's garbage-collection helpers,
// libuv's pool). The process total says how busy riskstream is; this says which part. Linux only
// (read from /proc); elsewhere nothing is reported.
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

/** Node names every thread it starts (main, workers, V8's and libuv's pools) "node". */
export const NODE_THREAD_NAME = 'node';
/** Threads that are not Node's: the embedded storage engine's (chDB names them by task). */
export const ENGINE_GROUP = 'storage_engine';
/** Node's other threads: V8's garbage-collection and compiler helpers, libuv's pool. */
export const RUNTIME_GROUP = 'runtime';
export const MAIN_GROUP = 'main';
const CLOCK_TICKS_PER_SECOND = 100;

export type ThreadSample = { readonly tid: number; readonly name: string; readonly cpuSeconds: number };

/**
 * The OS thread id of the calling thread (main or worker), or null where /proc/thread-self does
 * not exist (not Linux).
 */
export function currentThreadTid(): number | null {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    return Number.isInteger(tid) && tid > 0 ? tid : null;
  } catch {
    return null;
  }
}

/**
 * A cell a worker thread writes its OS thread id into (shared memory, so that no message
 * protocol has to carry it): create it in the parent, pass it in workerData, call
 * publishThreadTid in the worker, and name it with nameThread in the parent.
 */
export function createTidCell(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(4));
}

/** In a worker: writes this thread's id into the cell its parent gave it. */
export function publishThreadTid(cell: Int32Array | undefined): void {
  const tid = currentThreadTid();
  if (cell !== undefined && tid !== null) Atomics.store(cell, 0, tid);
}

const named = new Map<string, Int32Array>();

/**
 * Names a worker thread for the CPU figures, by the cell it publishes its id into. A name used
 * again (a thread started anew) takes the new cell.
 */
export function nameThread(name: string, cell: Int32Array): void {
  named.set(name, cell);
}

/** The named threads' ids that are known by now (the main thread's is the process id). */
function namedTids(pid: number): Map<number, string> {
  const tids = new Map<number, string>([[pid, MAIN_GROUP]]);
  for (const [name, cell] of named) {
    const tid = Atomics.load(cell, 0);
    if (tid > 0) tids.set(tid, name);
  }
  return tids;
}

/** Every thread of a process with its name and CPU seconds so far (user + system); [] without /proc. */
export function sampleThreads(pid: number = process.pid): ThreadSample[] {
  const dir = `/proc/${pid}/task`;
  let ids: string[];
  try {
    ids = readdirSync(dir);
  } catch {
    return [];
  }
  const samples: ThreadSample[] = [];
  for (const id of ids) {
    try {
      const stat = readFileSync(`${dir}/${id}/stat`, 'utf8');
      // The name is in parentheses and may hold spaces: the fields after it start after the last ')'.
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      samples.push({ tid: Number(id), name, cpuSeconds: (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND });
    } catch {
      // The thread ended meanwhile.
    }
  }
  return samples;
}

/** The group a thread's CPU counts towards: its given name, else the engine's or Node's runtime. */
export function groupOf(sample: ThreadSample, tids: ReadonlyMap<number, string>): string {
  return tids.get(sample.tid) ?? (sample.name === NODE_THREAD_NAME ? RUNTIME_GROUP : ENGINE_GROUP);
}

/**
 * Adds up CPU per group as threads come and go: each thread counts what it used since it was last
 * seen, so a group's total only grows, and a thread that ended keeps what it had used.
 */
export class ThreadCpuTotals {
  private readonly _last = new Map<number, number>();
  private readonly _totals = new Map<string, number>();

  /** Adds what the sampled threads used since the previous call; returns the totals so far. */
  add(samples: readonly ThreadSample[], tids: ReadonlyMap<number, string>): ReadonlyMap<string, number> {
    const seen = new Set<number>();
    for (const s of samples) {
      seen.add(s.tid);
      const before = this._last.get(s.tid) ?? 0;
      this._last.set(s.tid, s.cpuSeconds);
      // A thread id used again by a new thread starts from 0.
      const used = s.cpuSeconds >= before ? s.cpuSeconds - before : s.cpuSeconds;
      const group = groupOf(s, tids);
      this._totals.set(group, (this._totals.get(group) ?? 0) + used);
    }
    for (const tid of this._last.keys()) if (!seen.has(tid)) this._last.delete(tid);
    return this._totals;
  }
}

/** This process's CPU seconds per group so far (threads named with nameThread, engine, runtime). */
export function threadCpuReader(pid: number = process.pid): () => ReadonlyMap<string, number> {
  const totals = new ThreadCpuTotals();
  return () => totals.add(sampleThreads(pid), namedTids(pid));
}
