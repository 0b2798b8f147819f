// What mapping one bus message into a table row gives: the row and its dedup key, or the reason it
// cannot be stored (which sends it to the dead-letter stream). Shared by every table's mapper.
import { formatMinor, jsonTextErrors, reportingAmountText, type ErrorCode } from '../../../core/index.js';
import { dateTime64Text } from '../../sql.js';
import { WireFieldError } from './wire-fields.js';

/** A message as the mappers see it: no JetStream types, so mapping is pure and table-tested. */
export type WireMessage = {
  readonly subject: string;
  readonly data: Uint8Array;
  /** Rs-Ingest-Ts header, epoch ms; null when absent. */
  readonly ingestTs: number | null;
};

export type RowOutcome<R> =
  | {
      readonly ok: true;
      readonly key: string;
      readonly row: R;
      /** The row's "how recent" time (epoch ms) for the writer's lag gauge. */
      readonly recencyMs: number;
    }
  | { readonly ok: false; readonly code: ErrorCode; readonly reason: string };

export type RowMapper<R> = (message: WireMessage) => RowOutcome<R>;

export function refused(code: ErrorCode, reason: string): RowOutcome<never> {
  return { ok: false, code, reason };
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/** Decodes and parses the payload, or says why it is not JSON. */
export function parsePayload(data: Uint8Array): { ok: true; value: unknown; text: string } | { ok: false; reason: string } {
  let text: string;
  try {
    text = decoder.decode(data);
  } catch {
    return { ok: false, reason: 'not UTF-8 text' };
  }
  try {
    return { ok: true, value: JSON.parse(text) as unknown, text };
  } catch (error) {
    return { ok: false, reason: `not valid JSON: ${(error as Error).message}` };
  }
}

/** A surrogate escape in JSON text: only such text can hold a lone surrogate once parsed. */
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;

/**
 * Runs a field-by-field mapper and turns a WireFieldError into a schema refusal. A lone UTF-16
 * surrogate is refused first, as for events: storage turns it into U+FFFD, so a key holding one is
 * stored as another than the one deduplicated on (every redelivery a new row), or refused by the
 * insert without naming the field. `allow` leaves them to the mapper (a dead letter, keyed by a
 * digest of its bytes, stores its text made well formed: refused, it could only be dropped).
 */
export function mapWire<R>(data: Uint8Array, map: (value: unknown, text: string) => RowOutcome<R>, loneSurrogates: 'refuse' | 'allow' = 'refuse'): RowOutcome<R> {
  const parsed = parsePayload(data);
  if (!parsed.ok) return refused('RS_ERR_BUS_JSON', parsed.reason);
  if (loneSurrogates === 'refuse' && SURROGATE_ESCAPE.test(parsed.text)) {
    const lone = jsonTextErrors(parsed.text, parsed.value).filter((e) => e.rule === 'unicode');
    if (lone.length > 0) return refused('RS_ERR_BUS_SCHEMA', lone.map((e) => `${e.path || '/'} ${e.message}`).join('; '));
  }
  try {
    return map(parsed.value, parsed.text);
  } catch (error) {
    if (error instanceof WireFieldError) return refused('RS_ERR_BUS_SCHEMA', error.message);
    throw error;
  }
}

export type MoneyColumns = {
  /** Exact decimal text in major units, from the integer minor units. */
  readonly amount: string;
  readonly amount_minor: number;
  readonly currency: string;
  /** USD at the indicative rate (core/fx.ts), exact to the cent: what the minute sums add up. */
  readonly amount_usd: string;
};

export function moneyColumns(minor: number, currency: string): MoneyColumns {
  return {
    amount: formatMinor(minor, currency),
    amount_minor: minor,
    currency,
    amount_usd: reportingAmountText(minor, currency),
  };
}

export function timeText(ms: number): string {
  return dateTime64Text(ms);
}

export function nullableTimeText(ms: number | null): string | null {
  return ms === null ? null : dateTime64Text(ms);
}
