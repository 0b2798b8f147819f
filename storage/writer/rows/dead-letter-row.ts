// Maps a dead letter from RS_DLQ (DeadLetterWire, JSON) into a `dead_letters` row. The row id is a
// digest of the message, so a re-delivered dead letter is recognised as the same one.
import { createHash } from 'node:crypto';
import { mapWire, timeText, type RowOutcome, type WireMessage } from './row-outcome.js';
import { epochMs, integer, nonEmptyText, nullable, objectAt, text, WireFieldError } from './wire-fields.js';

export type DeadLetterRow = {
  readonly id: string;
  readonly source: string;
  readonly subject: string;
  readonly stream_seq: number | null;
  readonly code: string;
  readonly reason: string;
  readonly at: string;
  readonly payload: string;
};

/** The DLQ keeps payloads up to 64 KiB; the reason is a sentence or a list of field errors. */
const MAX_PAYLOAD = 256 * 1024;

export function deadLetterRow(message: WireMessage): RowOutcome<DeadLetterRow> {
  return mapWire(message.data, (value) => {
    const o = objectAt(value, '');
    if (o.v !== 1) throw new WireFieldError('/v', 'must be 1');
    const at = epochMs(o, 'at');
    const row: DeadLetterRow = {
      id: createHash('sha256').update(message.subject).update('\n').update(message.data).digest('hex').slice(0, 32),
      source: nonEmptyText(o, 'source', '', 128),
      subject: text(o, 'subject', '', 1024),
      stream_seq: nullable(o, 'streamSeq', (r, k) => integer(r, k, 0, Number.MAX_SAFE_INTEGER)),
      code: nonEmptyText(o, 'code', '', 128),
      reason: text(o, 'reason', '', 64 * 1024),
      at: timeText(at),
      payload: text(o, 'payload', '', MAX_PAYLOAD),
    };
    return { ok: true, key: row.id, row, recencyMs: at };
  });
}
