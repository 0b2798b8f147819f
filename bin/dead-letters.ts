// `riskstream dead-letters`: the namespace's dead letters, read from the dead-letter stream (kept
// 30 days) rather than ClickHouse, so that it works beside a running riskstream whose embedded chDB
// folder nobody else may open. With --json it prints each letter as a line, payload included: fix
// the payloads and send them again with `riskstream replay`.
import { commandLineMistake } from './cli-failure.js';
import { isoTimeWithZone } from './cli-options.js';
import { countOf, connectBus, names as namesOf, oneLine, scanStream, type Bus, type Config, type DeadLetterWire, type ErrorCode } from '../core/index.js';

export class DeadLettersCommandError extends Error {
  override readonly name = 'DeadLettersCommandError';
}

/** A DeadLettersCommandError about an option's value: printed with where the command's help is. */
function optionMistake(message: string): DeadLettersCommandError {
  return commandLineMistake(new DeadLettersCommandError(message));
}

export type DeadLetterQuery = {
  /** Letters at or after this time (epoch ms). */
  readonly sinceMs: number;
  readonly code?: string;
  readonly source?: string;
  /** The newest this many, at most. */
  readonly limit: number;
};

export type ListedLetter = DeadLetterWire & { readonly dlqSeq: number };
export type DeadLetterListing = {
  /** Every letter since the time that matched, newest first, cut to the limit. */
  readonly letters: readonly ListedLetter[];
  readonly matched: number;
  readonly byCode: Readonly<Record<string, number>>;
};

/** How far back --since may reach: ten years, far beyond the dead-letter stream's 30 days (or its RISKSTREAM_STREAM_MAX_AGE_HOURS). */
export const MAX_SINCE_DAYS = 3650;

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/**
 * `15m`, `2h`, `7d` (before now, at most ten years) or an ISO 8601 time with its zone, read as import's
 * --start is (an impossible date such as 2026-02-30 is refused, not rolled over): the epoch ms it names.
 */
export function sinceOf(text: string, nowMs = Date.now()): number {
  const relative = /^(\d{1,9})\s*(m|h|d)$/.exec(text.trim());
  if (relative) {
    const back = Number(relative[1]) * UNIT_MS[relative[2] as keyof typeof UNIT_MS];
    if (back > MAX_SINCE_DAYS * UNIT_MS.d) throw optionMistake(`--since ${text} reaches back more than ${MAX_SINCE_DAYS} days; dead letters are kept 30 days (RISKSTREAM_STREAM_MAX_AGE_HOURS when longer)`);
    return nowMs - back;
  }
  if (/^\d{4}-/.test(text)) {
    try {
      return isoTimeWithZone(text);
    } catch (error) {
      throw optionMistake(`--since ${text}: ${(error as Error).message}`);
    }
  }
  throw optionMistake(`--since ${text}: give a time back from now (15m, 2h, 7d) or an ISO 8601 time with its zone such as 2026-12-06T00:00:00Z`);
}

/** Reads the letters stored since the time, up to those present when it started. */
export async function listDeadLetters(bus: Bus, query: DeadLetterQuery): Promise<DeadLetterListing> {
  const stream = bus.names.streams.dlq;
  await bus.jsm.streams.info(stream).catch((error: unknown) => {
    if (/not found/i.test((error as Error).message)) {
      throw new DeadLettersCommandError(`NATS has no stream ${stream}: namespace "${bus.names.namespace}" has not started yet (is RISKSTREAM_NAMESPACE right?)`);
    }
    throw error;
  });
  const kept: ListedLetter[] = [];
  let count = 0;
  const byCode: Record<string, number> = {};
  // From the time on, with an ephemeral consumer of our own (no acks).
  await scanStream(bus, stream, { sinceMs: query.sinceMs }, (message) => {
    const letter = parseLetter(message.string());
    if (letter && (query.code === undefined || letter.code === query.code) && (query.source === undefined || letter.source === query.source)) {
      count++;
      byCode[letter.code] = (byCode[letter.code] ?? 0) + 1;
      // Only the newest `limit` are kept: a flood of letters (payloads up to 64 KiB) must not fill memory.
      kept.push({ ...letter, dlqSeq: message.seq });
      if (kept.length >= query.limit * 2) kept.splice(0, kept.length - query.limit);
    }
  });
  return { letters: newestFirst(kept.slice(-query.limit)), matched: count, byCode };
}

/**
 * By the time each letter was made, newest first (then by arrival). Stream order alone is not
 * that: a batch's letters are published at once and land in any order, and the list read
 * '…52.069Z' above '…52.072Z' under a heading that says newest first.
 */
export function newestFirst(letters: readonly ListedLetter[]): ListedLetter[] {
  return [...letters].sort((a, b) => b.at - a.at || b.dlqSeq - a.dlqSeq);
}

function parseLetter(text: string): DeadLetterWire | null {
  try {
    const value = JSON.parse(text) as DeadLetterWire;
    return value && typeof value.code === 'string' && typeof value.at === 'number' ? value : null;
  } catch {
    return null;
  }
}

/** The listing as a person reads it: a summary, then one line per letter, newest first. */
export function deadLetterLines(listing: DeadLetterListing, sinceMs: number): string[] {
  const since = new Date(sinceMs).toISOString();
  if (listing.matched === 0) return [`no dead letters since ${since}`];
  const codes = Object.entries(listing.byCode)
    .sort((a, b) => b[1] - a[1])
    .map(([code, n]) => `${code} ${n}`)
    .join(', ');
  const shown = listing.letters.length < listing.matched ? ` (the newest ${listing.letters.length} shown; --limit shows more)` : '';
  const lines = [`${countOf(listing.matched, 'dead letter')} since ${since}${shown}: ${codes}`];
  // codes padded to the longest shown, so that subjects and ids line up
  const codeWidth = Math.max(0, ...listing.letters.map((l) => l.code.length));
  for (const l of listing.letters) {
    const id = eventIdOf(l.payload);
    lines.push(`${new Date(l.at).toISOString()}  ${l.source.padEnd(10)} ${l.code.padEnd(codeWidth)}  ${l.subject}${id ? `  id ${id}` : ''}`);
    lines.push(`    ${oneLine(l.reason, 200)}`);
  }
  return lines;
}

function eventIdOf(payload: string): string | null {
  try {
    const id = (JSON.parse(payload) as { id?: unknown }).id;
    return typeof id === 'string' ? id : null;
  } catch {
    return null;
  }
}


/** The codes a dead letter can carry: the processors' and the writer's refusals. */
const DEAD_LETTER_CODES = ['RS_ERR_BUS_JSON', 'RS_ERR_BUS_SCHEMA', 'RS_ERR_BUS_SUBJECT', 'RS_ERR_SCORER', 'RS_ERR_STORAGE_ROW'] as const satisfies readonly ErrorCode[];

export async function runDeadLettersCommand(
  config: Config,
  options: { readonly since: string; readonly code?: string; readonly source?: string; readonly limit: number; readonly json?: boolean },
  print: (line: string) => void,
): Promise<void> {
  const sinceMs = sinceOf(options.since);
  // a mistyped code would list nothing and look like good news
  if (options.code !== undefined && !(DEAD_LETTER_CODES as readonly string[]).includes(options.code)) {
    throw optionMistake(`--code ${options.code} is not a dead-letter code; dead letters carry ${DEAD_LETTER_CODES.join(', ')}`);
  }
  const bus = await connectBus(config.natsUrl, namesOf(config.namespace), 'riskstream-dead-letters');
  try {
    const listing = await listDeadLetters(bus, { sinceMs, code: options.code, source: options.source, limit: options.limit });
    if (options.json) for (const letter of listing.letters) print(JSON.stringify(letter));
    else for (const line of deadLetterLines(listing, sinceMs)) print(line);
  } finally {
    await bus.nc.close();
  }
}
