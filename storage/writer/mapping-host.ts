// Speaks for the writer's mapping thread (mapping-thread.ts) in the main thread: sends a batch of
// records as one transferred buffer, gets back keyed lines. If the thread cannot start (running
// from TypeScript sources, as the tests do) or dies, records are mapped on the calling thread
// instead: slower for the event loop, never wrong.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { createTidCell, nameThread, type ErrorCode, type Logger } from '../../core/index.js';
import { prepareLine, type LineTable, type PreparedRow } from './line-tables.js';
import type { WireMessage } from './rows/row-outcome.js';

export type MappingInit = {
  readonly fxRates: Readonly<Record<string, number>>;
  /** Where the thread writes its OS thread id, for the process's CPU by thread (core/thread-cpu.ts). */
  readonly tidCell?: Int32Array;
};
export type MappingRequest = {
  readonly id: number;
  readonly table: LineTable;
  readonly subjects: readonly string[];
  readonly ingestTs: ReadonlyArray<number | null>;
  /** Every record's bytes, one after the other; record i ends at ends[i]. */
  readonly data: Uint8Array;
  readonly ends: readonly number[];
};
/** What the thread sends back: record i is a row when ok[i] is 1; its line is body[lineEnds[i-1], lineEnds[i]). */
export type MappedLines = {
  readonly ok: Uint8Array;
  readonly keys: string[];
  readonly partitions: string[];
  readonly minutes: Float64Array;
  readonly recencyMs: Float64Array;
  readonly codes: Array<string | null>;
  readonly reasons: Array<string | null>;
  body: Uint8Array;
  readonly lineEnds: Uint32Array;
};
export type MappingReply = { readonly id: number; readonly rows: MappedLines } | { readonly id: number; readonly error: string };

/** The thread's reply as rows whose lines are views of its buffer. */
function rowsOf(lines: MappedLines): PreparedRow<string | Uint8Array>[] {
  const n = lines.lineEnds.length;
  const rows = new Array<PreparedRow<string | Uint8Array>>(n);
  let start = 0;
  for (let i = 0; i < n; i++) {
    const end = lines.lineEnds[i]!;
    rows[i] = lines.ok[i]
      ? { ok: true, key: lines.keys[i]!, row: lines.body.subarray(start, end), partition: lines.partitions[i]!, minute: lines.minutes[i]!, recencyMs: lines.recencyMs[i]! }
      : { ok: false, code: lines.codes[i] as ErrorCode, reason: lines.reasons[i]! };
    start = end;
  }
  return rows;
}

/** Maps records into keyed lines, on the mapping thread when there is one. */
export type LineMapper = {
  /** Rows come back as their lines: text when mapped here, UTF-8 bytes from the thread. */
  map(table: LineTable, records: readonly WireMessage[]): Promise<PreparedRow<string | Uint8Array>[]>;
  close(): Promise<void>;
};

type Pending = { resolve: (rows: PreparedRow<string | Uint8Array>[]) => void; reject: (error: Error) => void };

const ENTRY = new URL('./mapping-thread.js', import.meta.url);

/** Maps on the calling thread (the fallback, and what tests from TypeScript sources use). */
export function mapLocally(table: LineTable, records: readonly WireMessage[]): PreparedRow<string>[] {
  return records.map((record) => prepareLine(table, record));
}

/**
 * Starts the mapping thread when the compiled entry exists; otherwise (or after it died) maps on
 * the calling thread. `fxRates` must be the process's (RISKSTREAM_FX_RATES): rows carry USD amounts.
 */
export function createLineMapper(fxRates: Readonly<Record<string, number>>, logger: Logger): LineMapper {
  if (!existsSync(fileURLToPath(ENTRY))) {
    return { map: async (table, records) => mapLocally(table, records), close: async () => undefined };
  }
  const tidCell = createTidCell();
  const worker = new Worker(ENTRY, { workerData: { fxRates, tidCell } satisfies MappingInit });
  nameThread('writer_mapping', tidCell);
  // The thread never keeps the process alive on its own.
  worker.unref();
  const pending = new Map<number, Pending>();
  let next = 0;
  let alive = true;
  let closing = false;

  function fail(reason: string): void {
    if (!alive) return;
    alive = false;
    if (!closing) logger.error({ reason }, 'the writer mapping thread stopped; mapping on the main thread from now on');
    for (const p of pending.values()) p.reject(new Error(`the writer mapping thread stopped: ${reason}`));
    pending.clear();
  }

  worker.on('message', (reply: MappingReply) => {
    const p = pending.get(reply.id);
    if (!p) return;
    pending.delete(reply.id);
    if ('error' in reply) p.reject(new Error(`the writer mapping thread failed: ${reply.error}`));
    else p.resolve(rowsOf(reply.rows));
  });
  worker.on('error', (error) => fail(error.message));
  worker.on('exit', (code) => fail(`exited with code ${code}`));

  return {
    map(table, records) {
      if (!alive) return Promise.resolve(mapLocally(table, records));
      // One buffer for the batch, moved (not copied) to the thread.
      let length = 0;
      for (const r of records) length += r.data.length;
      const data = new Uint8Array(length);
      const ends = new Array<number>(records.length);
      const subjects = new Array<string>(records.length);
      const ingestTs = new Array<number | null>(records.length);
      let at = 0;
      for (let i = 0; i < records.length; i++) {
        const r = records[i]!;
        data.set(r.data, at);
        at += r.data.length;
        ends[i] = at;
        subjects[i] = r.subject;
        ingestTs[i] = r.ingestTs;
      }
      const id = ++next;
      return new Promise<PreparedRow<string | Uint8Array>[]>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker.postMessage({ id, table, subjects, ingestTs, data, ends } satisfies MappingRequest, [data.buffer]);
      });
    },
    async close() {
      closing = true;
      await worker.terminate();
    },
  };
}
