// Maps a dead letter from RS_DLQ (DeadLetterWire, JSON) into a `dead_letters` row. The row id is a
// digest of the message, so a re-delivered dead letter is recognised as the same one.
import { createHash } from 'node:crypto';
import { wellFormed } from '../../../core/index.js';
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
      source: wellFormed(nonEmptyText(o, 'source', '', 128)),
      subject: wellFormed(text(o, 'subject', '', 1024)),
      stream_seq: nullable(o, 'streamSeq', (r, k) => integer(r, k, 0, Number.MAX_SAFE_INTEGER)),
      code: wellFormed(nonEmptyText(o, 'code', '', 128)),
      reason: wellFormed(text(o, 'reason', '', 64 * 1024)),
      at: timeText(at),
      payload: wellFormed(text(o, 'payload', '', MAX_PAYLOAD)),
    };
    return { ok: true, key: row.id, row, recencyMs: at };
    // A lone surrogate in a letter (a field name quoted in its reason, a payload cut inside a pair)
    // is stored as U+FFFD: the key is a digest of the bytes, so the dedup is unaffected, and the
    // dead-letter table has no dead letter of its own to refuse it to.
  }, 'allow');
}
