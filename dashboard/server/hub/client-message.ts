// Reads what a browser sends on /ws: JSON text, one ClientMessage per frame. Anything else is
// answered with an error naming what is wrong; the socket stays open (a buggy tab should see its
// mistake, not a reconnect loop).
import { DOMAINS, REF_PATTERN, SEGMENTS, SEVERITIES, isWellFormed } from '../../../core/index.js';
import { TOPICS, type AlertFilter, type ClientMessage, type Topic } from '../protocol.js';

/** Client frames larger than this close the socket with 1009 (no legitimate message comes near it). */
export const MAX_CLIENT_MESSAGE_BYTES = 4096;
/** Account ids as the event contract takes them (inner spaces, any script; no control character), at most 128 characters. */
const ACCOUNT_PATTERN = new RegExp(REF_PATTERN, 'u');
function isAccountId(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 256 && [...value].length <= 128 && ACCOUNT_PATTERN.test(value);
}

/**
 * Why `value` is not an account id, or null when it is. A lone surrogate (JSON's `\uD83D` without
 * its pair) passes the pattern, which reads it as one character, but no decision can carry it
 * (UTF-8 has no way to write it): the watch would wait forever, so it is refused by name.
 */
function accountIdProblem(value: unknown): string | null {
  if (typeof value === 'string' && !isWellFormed(value)) return 'accountId holds a lone UTF-16 surrogate (half of a pair); send well-formed Unicode';
  return isAccountId(value) ? null : 'accountId must be an account id';
}
const TYPOLOGY = /^[\x21-\x7e]{1,64}$/;
const PING_ID = /^[\x20-\x7e]{0,64}$/;

export type ClientMessageResult = { readonly ok: true; readonly message: ClientMessage } | { readonly ok: false; readonly message: string };

function fail(message: string): ClientMessageResult {
  return { ok: false, message };
}

function isTopic(value: unknown): value is Topic {
  return typeof value === 'string' && (TOPICS as readonly string[]).includes(value);
}

function oneOf<T extends string>(list: readonly T[], value: unknown): value is T {
  return typeof value === 'string' && (list as readonly string[]).includes(value);
}

function parseFilter(value: unknown): AlertFilter | string {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) return 'filter must be an object';
  const f = value as Record<string, unknown>;
  for (const key of Object.keys(f)) {
    if (!['domain', 'severity', 'typology', 'segment'].includes(key)) return `filter.${key} is not a filter (domain, severity, typology, segment)`;
  }
  if (f.domain !== undefined && !oneOf(DOMAINS, f.domain)) return `filter.domain must be one of ${DOMAINS.join(', ')}`;
  if (f.severity !== undefined && !oneOf(SEVERITIES, f.severity)) return `filter.severity must be one of ${SEVERITIES.join(', ')}`;
  if (f.segment !== undefined && !oneOf(SEGMENTS, f.segment)) return `filter.segment must be one of ${SEGMENTS.join(', ')}`;
  if (f.typology !== undefined && (typeof f.typology !== 'string' || !TYPOLOGY.test(f.typology))) return 'filter.typology must be a typology code';
  const filter: { -readonly [K in keyof AlertFilter]: AlertFilter[K] } = {};
  if (f.domain !== undefined) filter.domain = f.domain;
  if (f.severity !== undefined) filter.severity = f.severity;
  if (f.typology !== undefined) filter.typology = f.typology as string;
  if (f.segment !== undefined) filter.segment = f.segment;
  return filter;
}

/** Parses one text frame from a client. */
export function parseClientMessage(text: string): ClientMessageResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return fail('the message is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('the message must be a JSON object');
  const m = value as Record<string, unknown>;
  switch (m.type) {
    case 'ping':
      if (m.id !== undefined && (typeof m.id !== 'string' || !PING_ID.test(m.id))) return fail('ping id must be a short string');
      return { ok: true, message: m.id === undefined ? { type: 'ping' } : { type: 'ping', id: m.id } };
    case 'subscribe':
      switch (m.topic) {
        case 'kpi':
          if (m.since === undefined) return { ok: true, message: { type: 'subscribe', topic: 'kpi' } };
          if (!Number.isSafeInteger(m.since) || (m.since as number) < 0) return fail('since must be a time in epoch milliseconds');
          return { ok: true, message: { type: 'subscribe', topic: 'kpi', since: m.since as number } };
        case 'health':
          return { ok: true, message: { type: 'subscribe', topic: m.topic } };
        case 'alerts': {
          const filter = parseFilter(m.filter);
          if (typeof filter === 'string') return fail(filter);
          return { ok: true, message: { type: 'subscribe', topic: 'alerts', filter } };
        }
        case 'account': {
          const problem = accountIdProblem(m.accountId);
          if (problem !== null) return fail(problem);
          return { ok: true, message: { type: 'subscribe', topic: 'account', accountId: m.accountId as string } };
        }
        default:
          return fail(`topic must be one of ${TOPICS.join(', ')}`);
      }
    case 'unsubscribe':
      if (!isTopic(m.topic)) return fail(`topic must be one of ${TOPICS.join(', ')}`);
      if (m.accountId !== undefined) {
        if (m.topic !== 'account') return fail('accountId is an account id, on the account topic only');
        const problem = accountIdProblem(m.accountId);
        if (problem !== null) return fail(problem);
        return { ok: true, message: { type: 'unsubscribe', topic: 'account', accountId: m.accountId as string } };
      }
      return { ok: true, message: { type: 'unsubscribe', topic: m.topic } };
    default:
      return fail('type must be subscribe, unsubscribe or ping');
  }
}
