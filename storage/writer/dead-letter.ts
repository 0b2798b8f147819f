// Sends messages the writer cannot store to the dead-letter stream, with the reason, so that they
// are visible (and stored in dead_letters) instead of blocking the consumer or vanishing.
import { type Bus, type DeadLetterWire, type ErrorCode, type JsMsg } from '../../core/index.js';

/** Where a record came from: a whole message, or record `index` of an envelope (`data` is that record). */
export type RecordSource = {
  readonly message: JsMsg;
  readonly index: number | null;
  /** Records in the message. */
  readonly of: number;
  readonly data: Uint8Array;
};
export type Refusal = RecordSource & { readonly code: ErrorCode; readonly reason: string };

const MAX_PAYLOAD_BYTES = 64 * 1024;

export function deadLetterOf(refusal: Refusal, now: number): DeadLetterWire {
  const { message } = refusal;
  return {
    v: 1,
    source: 'writer',
    subject: message.subject,
    streamSeq: message.seq,
    code: refusal.code,
    reason: refusal.reason,
    at: now,
    payload: Buffer.from(refusal.data.subarray(0, MAX_PAYLOAD_BYTES)).toString('utf8'),
  };
}

/**
 * Publishes the dead letters and waits for JetStream to store them. The message id (the stream
 * position, and the record's place in an envelope) makes a re-delivered bad message one dead letter, not two (within the stream's duplicate window).
 */
export async function publishDeadLetters(bus: Bus, refusals: readonly Refusal[], now: number = Date.now()): Promise<void> {
  const subject = bus.names.dlqSubject('writer');
  await Promise.all(
    refusals.map((refusal) =>
      bus.js.publish(subject, JSON.stringify(deadLetterOf(refusal, now)), {
        msgID: `writer:${refusal.message.info.stream}:${refusal.message.seq}${refusal.index === null ? '' : `:${refusal.index}`}`,
      }),
    ),
  );
}
