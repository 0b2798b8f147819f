// Sends messages the writer cannot store to the dead-letter stream, with the reason, so that they
// are visible (and stored in dead_letters) instead of blocking the consumer or vanishing.
import { type Bus, type DeadLetterWire, type ErrorCode, type JsMsg, type PublishedOutputs } from '../../core/index.js';

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

/** The dedup id of a refusal's dead letter: its stream position, and the record's place in an envelope. */
export function deadLetterIdOf(refusal: RecordSource): string {
  return `writer:${refusal.message.info.stream}:${refusal.message.seq}${refusal.index === null ? '' : `:${refusal.index}`}`;
}

/**
 * Publishes the dead letters and waits for JetStream to store them. The message id
 * (deadLetterIdOf) makes a re-delivered bad message one dead letter, not two, within the stream's
 * duplicate window; beyond it, `published` (what an earlier attempt stored) leaves out the ones
 * published already, and learns the ones stored before a failure. Resolves with how many it left out.
 */
export async function publishDeadLetters(bus: Bus, refusals: readonly Refusal[], published?: PublishedOutputs, now: number = Date.now()): Promise<number> {
  const subject = bus.names.dlqSubject('writer');
  const ids: string[] = [];
  const sends: Array<Promise<unknown>> = [];
  let skipped = 0;
  const guarded = published !== undefined && !published.empty;
  for (const refusal of refusals) {
    const id = deadLetterIdOf(refusal);
    if (guarded && published.has(id)) {
      skipped++;
      continue;
    }
    ids.push(id);
    sends.push(bus.js.publish(subject, JSON.stringify(deadLetterOf(refusal, now)), { msgID: id }));
  }
  try {
    await Promise.all(sends);
  } catch (error) {
    const settled = await Promise.allSettled(sends);
    published?.remember(ids.filter((_, i) => settled[i]!.status === 'fulfilled'));
    throw error;
  }
  return skipped;
}
