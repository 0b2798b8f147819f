// Envelopes: many events (or decisions) in one bus message. NATS costs about the same per message
// whatever its size, so a producer that sends thousands of events a second puts the events of one
// kind that are ready at the same moment into one message (on their partition's subject, or on the
// kind's `mixed` subject when they span partitions), and the processors answer with decision
// envelopes of up to 64. See docs/events.md (Envelopes) and docs/decisions/0004.
//
// On the wire an envelope is newline-delimited JSON (one record per line, each exactly what a
// single message would carry) with the header `Rs-Batch: <lines>`. A message without the header
// is one record, as before, so single-event producers keep working unchanged.
import type { MsgHdrs } from '@nats-io/nats-core';

export const HEADER_BATCH = 'Rs-Batch';

/**
 * The most records a producer may put in one envelope. The processors' decision envelope for it
 * must fit NATS's default max_payload (1 MiB) with room to spare: a decision is ~1.5 KiB.
 */
export const MAX_ENVELOPE_RECORDS = 256;

const NEWLINE = 0x0a;

/** NATS's default max_payload, for a connection whose server has not said its own. */
export const DEFAULT_MAX_PAYLOAD = 1024 * 1024;

/**
 * Room kept under the server's max_payload for a message's headers (batch size, ingest time,
 * dedup id, and the reply subjects of up to 256 waiting callers).
 */
export const ENVELOPE_HEADER_ROOM = 16 * 1024;

/** The most payload bytes an envelope may carry on a server with this max_payload. */
export function envelopeByteLimit(maxPayload: number | undefined): number {
  return (maxPayload ?? DEFAULT_MAX_PAYLOAD) - ENVELOPE_HEADER_ROOM;
}

/**
 * How many of `count` records (the i-th's text from `textAt`) go in the next envelope: at most
 * `maxRecords`, and no more than `maxBytes` of payload (the records in UTF-8 and the newlines
 * between them). At least one, so that a record too large for any envelope still leaves (and
 * JetStream refuses it, by name) instead of holding up the records behind it.
 */
export function envelopeFit(count: number, textAt: (i: number) => string, maxRecords: number, maxBytes: number): number {
  const n = Math.min(count, maxRecords);
  // UTF-8 takes at most 3 bytes per UTF-16 unit: count bytes only when that bound could pass.
  let bound = -1;
  for (let i = 0; i < n; i++) bound += textAt(i).length * 3 + 1;
  if (bound <= maxBytes) return n;
  let bytes = -1;
  for (let i = 0; i < n; i++) {
    bytes += Buffer.byteLength(textAt(i)) + 1;
    if (bytes > maxBytes && i > 0) return i;
  }
  return n;
}

/** Lines of an envelope: each a record, exactly as a single message would carry it. */
export function encodeEnvelope(records: readonly string[]): string {
  return records.join('\n');
}

/** The records a message says it holds (1 without the batch header). */
export function declaredRecords(headers: MsgHdrs | undefined): number {
  const value = headers?.get(HEADER_BATCH);
  if (!value) return 1;
  const n = Number(value);
  return Number.isInteger(n) && n > 0 ? n : 1;
}

/** True when the message is an envelope (it has the batch header). */
export function isEnvelope(headers: MsgHdrs | undefined): boolean {
  return Boolean(headers?.get(HEADER_BATCH));
}

/**
 * Splits an envelope's payload into its records, without copying: each is a view of the payload.
 * Empty lines (a trailing newline, a blank line) are skipped.
 */
export function splitEnvelope(data: Uint8Array): Uint8Array[] {
  const records: Uint8Array[] = [];
  let start = 0;
  for (;;) {
    const end = data.indexOf(NEWLINE, start);
    const stop = end < 0 ? data.length : end;
    if (stop > start) records.push(data.subarray(start, stop));
    if (end < 0) break;
    start = end + 1;
  }
  return records;
}

/** The same for text (consumers that already decoded the payload, e.g. core NATS subscribers). */
export function splitEnvelopeText(text: string): string[] {
  if (text.indexOf('\n') < 0) return text.length > 0 ? [text] : [];
  return text.split('\n').filter((line) => line.length > 0);
}

/**
 * On an envelope, where to send the decisions callers wait for (`?wait=decision`): one entry per
 * waiting record, `<index>:<reply subject>` separated by spaces (index 0 is the first line). A
 * single-event message says it with `Rs-Reply` instead.
 */
export const HEADER_REPLIES = 'Rs-Replies';

/** The `Rs-Replies` value for records (by their index in the envelope) with a reply subject. */
export function encodeReplies(replies: ReadonlyArray<readonly [number, string]>): string {
  return replies.map(([index, subject]) => `${index}:${subject}`).join(' ');
}

/** Reply subjects by record index, from an envelope's headers; null when none waits. Malformed entries are skipped. */
export function repliesOf(headers: MsgHdrs | undefined): Map<number, string> | null {
  const value = headers?.get(HEADER_REPLIES);
  if (!value) return null;
  const replies = new Map<number, string>();
  for (const entry of value.split(' ')) {
    const colon = entry.indexOf(':');
    if (colon <= 0 || colon === entry.length - 1) continue;
    const index = Number(entry.slice(0, colon));
    if (Number.isInteger(index) && index >= 0) replies.set(index, entry.slice(colon + 1));
  }
  return replies.size > 0 ? replies : null;
}

/**
 * On a decision envelope: the places, in its input envelope, of the records whose decisions it
 * holds (space-separated indexes, ascending). A redelivery that finds a part already stored learns
 * from it which records that part left out (a re-sent copy then, decided now) and publishes those
 * decisions alone (docs/decisions/0001).
 */
export const HEADER_RECORDS = 'Rs-Records';

/** The record indexes an `Rs-Records` value names; an empty set for an empty or malformed value. */
export function recordsNamed(value: string): Set<number> {
  const out = new Set<number>();
  for (const part of value.split(' ')) {
    const index = Number(part);
    if (part !== '' && Number.isInteger(index) && index >= 0) out.add(index);
  }
  return out;
}
