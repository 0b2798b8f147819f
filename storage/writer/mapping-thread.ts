// The writer's mapping thread (worker entry): turns records of RS_EVENTS and RS_DECISIONS into
// keyed TabSeparated lines, so that parsing and formatting — most of the writer's CPU — do not
// run on the main thread, where the dashboard's sockets and the API wait their turn. It opens no
// connection: chDB stays on the main thread (a worker that opens chDB crashes the process at exit,
// docs/decisions/0002). Started by mapping-host.ts.
import { parentPort, workerData } from 'node:worker_threads';
import { publishThreadTid, setFxRates } from '../../core/index.js';
import { prepareLine } from './line-tables.js';
import type { MappedLines, MappingInit, MappingReply, MappingRequest } from './mapping-host.js';

const init = workerData as MappingInit;
setFxRates(init.fxRates);
publishThreadTid(init.tidCell);

const encoder = new TextEncoder();

/**
 * Maps every record; the lines of the rows go back as one UTF-8 buffer (moved, not copied, to the
 * main thread, which inserts it as it is when the batch keeps every row), the rest as parallel
 * arrays: cheap to pass between threads, unlike an object per row.
 */
function handle(request: MappingRequest): { reply: MappingReply; transfer: ArrayBuffer[] } {
  const { id, table, subjects, ingestTs, data, ends } = request;
  const n = ends.length;
  const rows: MappedLines = {
    ok: new Uint8Array(n),
    keys: new Array<string>(n).fill(''),
    partitions: new Array<string>(n).fill(''),
    minutes: new Float64Array(n),
    recencyMs: new Float64Array(n),
    codes: new Array<string | null>(n).fill(null),
    reasons: new Array<string | null>(n).fill(null),
    body: new Uint8Array(Math.max(64 * 1024, data.length * 2)),
    lineEnds: new Uint32Array(n),
  };
  let length = 0;
  let start = 0;
  for (let i = 0; i < n; i++) {
    const end = ends[i]!;
    const prepared = prepareLine(table, { subject: subjects[i]!, data: data.subarray(start, end), ingestTs: ingestTs[i]! });
    start = end;
    if (prepared.ok) {
      const line = prepared.row;
      // UTF-8 takes at most 3 bytes per UTF-16 unit.
      if (length + line.length * 3 > rows.body.length) {
        const grown = new Uint8Array(Math.max(rows.body.length * 2, length + line.length * 3));
        grown.set(rows.body.subarray(0, length));
        rows.body = grown;
      }
      length += encoder.encodeInto(line, rows.body.subarray(length)).written;
      rows.ok[i] = 1;
      rows.keys[i] = prepared.key;
      rows.partitions[i] = prepared.partition;
      rows.minutes[i] = prepared.minute;
      rows.recencyMs[i] = prepared.recencyMs;
    } else {
      rows.codes[i] = prepared.code;
      rows.reasons[i] = prepared.reason;
    }
    rows.lineEnds[i] = length;
  }
  // Sized to what was written: the buffer guessed twice the records' bytes, and every byte the main
  // thread receives counts against it until a collection there frees the buffer (batch-insert.ts,
  // contiguousBody). Copying here costs this thread a millisecond or two.
  rows.body = rows.body.slice(0, length);
  const transfer = [rows.ok.buffer, rows.minutes.buffer, rows.recencyMs.buffer, rows.body.buffer, rows.lineEnds.buffer] as ArrayBuffer[];
  return { reply: { id, rows }, transfer };
}

parentPort!.on('message', (request: MappingRequest) => {
  let handled: { reply: MappingReply; transfer: ArrayBuffer[] };
  try {
    handled = handle(request);
  } catch (error) {
    handled = { reply: { id: request.id, error: (error as Error).message ?? String(error) }, transfer: [] };
  }
  parentPort!.postMessage(handled.reply, handled.transfer);
});
