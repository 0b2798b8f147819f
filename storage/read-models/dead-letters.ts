// The latest dead letters for the system page: what could not be processed or stored, and why.
// Payloads can be up to 64 KiB; a list shows their head only.
import { numberOf, nullableNumberOf, qualified, selectRows, type SqlClient } from '../sql.js';
import { inWindow, pageSize, timeWindow, type WindowQuery } from './time-window.js';

export type StoredDeadLetter = {
  /** A digest of the message: re-deliveries of one message share it. */
  readonly id: string;
  readonly source: string;
  readonly subject: string;
  readonly streamSeq: number | null;
  readonly code: string;
  readonly reason: string;
  readonly at: number;
  /** The payload's first PAYLOAD_HEAD_CHARS characters. */
  readonly payload: string;
  /** Its full length in bytes; more than the head when it was cut. */
  readonly payloadBytes: number;
};

export type DeadLetterQuery = WindowQuery & {
  /** 1–500 (default 50). */
  readonly limit?: number;
};

export const MAX_DEAD_LETTERS = 500;
export const PAYLOAD_HEAD_CHARS = 2048;

type DeadLetterCells = { id: string; source: string; subject: string; stream_seq: unknown; code: string; reason: string; at_ms: unknown; head: string; bytes: unknown };

export async function recentDeadLetters(client: SqlClient, database: string, query: DeadLetterQuery, now: number): Promise<StoredDeadLetter[]> {
  const window = timeWindow(query, now);
  const limit = pageSize(query.limit, 50, MAX_DEAD_LETTERS);
  const rows = await selectRows<DeadLetterCells>(
    client,
    `SELECT id, source, subject, stream_seq, code, reason, toUnixTimestamp64Milli(at) AS at_ms,
            substringUTF8(payload, 1, {head:UInt32}) AS head, length(payload) AS bytes
     FROM ${qualified(database, 'dead_letters')}
     WHERE ${inWindow('at')}
     ORDER BY at DESC, id DESC
     LIMIT 1 BY id
     LIMIT {limit:UInt32}`,
    { ...window, limit, head: PAYLOAD_HEAD_CHARS },
  );
  return rows.map((r) => ({
    id: r.id,
    source: r.source,
    subject: r.subject,
    streamSeq: nullableNumberOf(r.stream_seq),
    code: r.code,
    reason: r.reason,
    at: numberOf(r.at_ms),
    payload: r.head,
    payloadBytes: numberOf(r.bytes),
  }));
}
