// The writer's mapping thread (worker entry): turns records of RS_EVENTS and RS_DECISIONS into
// keyed TabSeparated lines, so that parsing and formatting — most of the writer's CPU — do not
// run on the main thread, where the dashboard's sockets and the API wait their turn. It opens no
// connection: chDB stays on the main thread (a worker that opens chDB crashes the process at exit,
// docs/decisions/0002). Started by mapping-host.ts.
import { parentPort, workerData } from 'node:worker_threads';
import { setFxRates } from '../../core/index.js';
import { prepareLine, type PreparedRow } from './line-tables.js';
import type { MappingInit, MappingReply, MappingRequest } from './mapping-host.js';

const init = workerData as MappingInit;
setFxRates(init.fxRates);

function handle(request: MappingRequest): MappingReply {
  const { id, table, subjects, ingestTs, data, ends } = request;
  const results: PreparedRow<string>[] = new Array(ends.length);
  let start = 0;
  for (let i = 0; i < ends.length; i++) {
    const end = ends[i]!;
    results[i] = prepareLine(table, { subject: subjects[i]!, data: data.subarray(start, end), ingestTs: ingestTs[i]! });
    start = end;
  }
  return { id, results };
}

parentPort!.on('message', (request: MappingRequest) => {
  let reply: MappingReply;
  try {
    reply = handle(request);
  } catch (error) {
    reply = { id: request.id, error: (error as Error).message ?? String(error) };
  }
  parentPort!.postMessage(reply);
});
