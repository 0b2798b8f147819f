// `riskstream replay <file>`: sends a file of events (NDJSON, one event per line; `-` for stdin)
// through the product — onto the bus, or to an ingest URL — as fast as it acknowledges them or at
// a set rate, reporting each line it refuses and, with --wait, waiting until the processors have
// decided every event. For backfills, load tests with recorded traffic, and labelled data sets
// replayed to measure detection.
import { randomUUID } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';
import {
  countOf,
  connectBus,
  consumerLag,
  createMetrics,
  ensureStreams,
  jsonTextErrors,
  names as namesOf,
  oneLine,
  scanStream,
  splitEnvelopeText,
  streamLimitsOf,
  validateEvent,
  HEALTH_INTERVAL_MS,
  type Bus,
  type Config,
  type FieldError,
  type ProcessHealthWire,
  type ValidatedEvent,
} from '../core/index.js';
import { backlogRefusal, retryAfterMs } from '../ingest/backlog-gate.js';
import { ingestKeyNeeded, nothingAnswersAt, refusedBatchHint } from './ingest-url.js';
import { BusPacer } from './bus-pacer.js';
import { createEventPublisher } from '../ingest/publisher.js';
import { IdIndex } from './event-id-index.js';
import { evaluate, type EventLabels, type Evaluation } from './replay-evaluation.js';
import { OutcomeLedger } from './replay-ledger.js';
import { evaluationLines } from './replay-report.js';

export type ReplayOptions = {
  /** NDJSON file, or `-` for stdin. */
  readonly file: string;
  /** POST batches to this ingest base URL instead of publishing onto the bus. */
  readonly url?: string;
  /** Events per second at most (default: as fast as they are acknowledged). */
  readonly rate?: number;
  /** Events per publish or HTTP batch (default 500). */
  readonly batch?: number;
  /** Then wait (at most this many seconds) until the processors have decided everything. */
  readonly waitSeconds?: number;
  /** Watch the decisions and alerts of the replayed events and compare them with their labels (needs waitSeconds). */
  readonly evaluate?: boolean;
  /** Stops reading the file (Ctrl-C): what was sent is waited for and evaluated, and the summary says where it stopped. */
  readonly signal?: AbortSignal;
};

export type ReplaySummary = {
  /** Lines that held something (blank lines are skipped). */
  readonly lines: number;
  readonly sent: number;
  /** Lines refused: not JSON, or not an event of its kind's contract. */
  readonly refused: number;
  /** From the first line read to the end (decisions waited for included), to the millisecond. */
  readonly seconds: number;
  /** Stopped (Ctrl-C) after this line of the file, before its end. */
  readonly stoppedAtLine?: number;
  /** With waitSeconds: whether every event was decided in time. */
  readonly decided?: boolean;
  /** With evaluate: the decisions and alerts against the labels. */
  readonly evaluation?: Evaluation;
};

export type ReplayOutput = {
  /** A progress line (rewritten in place at a terminal). */
  progress(line: string): void;
  /** A line for the record: refused lines, the summary. */
  report(line: string): void;
};

/** A mistake in how replay was called (a missing file, a bad option): printed without a stack. */
export class ReplayError extends Error {
  override readonly name = 'ReplayError';
}

/**
 * Progress rewritten in place at a terminal, a line a second otherwise (logs); reports on lines of
 * their own. At a terminal a report takes the progress line's place (the next tick writes it
 * again below), so that the run ends on its summary rather than on a last progress line saying
 * nearly the same.
 */
export function consoleReplayOutput(stream: NodeJS.WriteStream = process.stderr): ReplayOutput {
  let open = false;
  return {
    progress(line) {
      if (stream.isTTY) {
        stream.write(`\r${line}\x1b[K`);
        open = true;
      } else {
        stream.write(line + '\n');
      }
    },
    report(line) {
      stream.write((open ? '\r\x1b[K' : '') + line + '\n');
      open = false;
    },
  };
}

/** Strict: bytes that are not UTF-8 are refused, not replaced. */
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Refused lines printed in full; the rest are counted. */
const MAX_REPORTED = 20;
const PROGRESS_EVERY_MS = 1000;

type Sink = {
  /** Sends a batch; the events the destination refused (a 207 answer), by their index in the batch. */
  send(events: readonly ValidatedEvent[], texts: readonly string[]): Promise<ReadonlyMap<number, readonly FieldError[]>>;
  /** Waits while the bus holds too much its consumers have not read (the bus sink); resolves at once otherwise. */
  admit(): Promise<void>;
  close(): Promise<void>;
};

/** How often the HTTP sink shows that it still waits. */
const WAIT_PROGRESS_MS = 2000;

export async function runReplay(config: Config, options: ReplayOptions, out: ReplayOutput): Promise<ReplaySummary> {
  const batchSize = options.batch ?? 500;
  if (!(Number.isInteger(batchSize) && batchSize >= 1 && batchSize <= 10_000)) throw new ReplayError('--batch must be 1 to 10,000 events');
  if (options.rate !== undefined && !(Number.isFinite(options.rate) && options.rate > 0)) throw new ReplayError('--rate must be at least 1 event a second (leave it out for as fast as they are acknowledged)');
  if (options.url !== undefined) checkUrl(options.url);
  if (options.url && config.apiKeyGenerated) throw new ReplayError(ingestKeyNeeded(config.dataDir, 'replay with --url'));
  if (options.file !== '-' && statSync(options.file, { throwIfNoEntry: false })?.isDirectory()) {
    throw new ReplayError(`${options.file} is a folder: give an NDJSON file of events (or - for stdin)`);
  }
  const input = options.file === '-' ? process.stdin : createReadStream(options.file);
  // A missing file fails here, with its name, before anything is sent.
  await new Promise<void>((resolve, reject) => {
    if (input === process.stdin) return resolve();
    input.once('open', () => resolve());
    input.once('error', (error: Error) => reject(new ReplayError(`cannot read ${options.file}: ${error.message}`)));
  });
  // With --url the bus is needed only to watch the decisions (--wait, --evaluate).
  const needsBus = options.url === undefined || options.waitSeconds !== undefined || options.evaluate === true;
  const bus = needsBus ? await connectBus(config.natsUrl, namesOf(config.namespace), 'riskstream-replay') : null;
  try {
    return await replayWith(bus, config, options, input, batchSize, out);
  } finally {
    await bus?.nc.drain().catch(() => undefined);
  }
}

/** --url must be an http(s) base URL: `127.0.0.1:8080` alone is no URL a request can go to. */
function checkUrl(url: string): void {
  let parsed: URL | null = null;
  try {
    parsed = new URL(url);
  } catch {
    // said below
  }
  if (parsed === null || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
    throw new ReplayError(`--url ${oneLine(url, 80)} is not an http(s) base URL: give one such as http://127.0.0.1:8080`);
  }
}

async function replayWith(bus: Bus | null, config: Config, options: ReplayOptions, input: NodeJS.ReadableStream, maxBatch: number, out: ReplayOutput): Promise<ReplaySummary> {
  // At a set rate, about ten sends a second, so that the pace is even rather than batch by batch.
  const batchSize = options.rate ? Math.min(maxBatch, Math.max(1, Math.ceil(options.rate / 10))) : maxBatch;
  const watch = options.evaluate && bus ? watchOutcomes(bus) : undefined;
  if (options.url && bus) {
    out.report(
      `replay: ${options.evaluate ? '--evaluate' : '--wait'} watches the processors and decisions of namespace ${bus.names.namespace} on ${config.natsUrl} (NATS_URL, RISKSTREAM_NAMESPACE): ` +
        `the riskstream behind ${options.url} must use the same`,
    );
  }
  if (watch && bus) await warnEarlierState(bus, out);
  const sink = options.url ? httpSink(options.url, config.apiKey, out) : await busSink(bus!, config, out);
  const started = performance.now();
  let lines = 0;
  let sent = 0;
  let refused = 0;
  // Raw rows are kept RISKSTREAM_RETENTION_DAYS by event time: older events are decided, but their
  // rows expire from storage at once (GET /v1/decisions and the alert detail would not find them),
  // so the dashboard's live feed leaves their alerts out too.
  const retentionStart = Date.now() - config.retentionDays * 86_400_000;
  let beyondRetention = 0;
  /** The last line read when the replay was stopped (Ctrl-C); null when it read the whole file. */
  let stoppedAt: number | null = null;
  let nextProgress = started + PROGRESS_EVERY_MS;
  const showProgress = (now: number): void => {
    const seconds = (now - started) / 1000;
    out.progress(`replay: ${sent.toLocaleString('en-US')} events sent (${Math.round(sent / Math.max(seconds, 0.001)).toLocaleString('en-US')}/s), ${refused} refused`);
  };
  let events: ValidatedEvent[] = [];
  let texts: string[] = [];
  let lineNumbers: number[] = [];
  const flush = async (): Promise<void> => {
    if (events.length === 0) return;
    if (options.rate) {
      // Paced: the batch leaves when the rate allows it.
      const wait = started + (sent * 1000) / options.rate - performance.now();
      if (wait > 0) await sleep(wait);
    }
    let refusedInBatch: ReadonlyMap<number, readonly FieldError[]>;
    try {
      await sink.admit();
      refusedInBatch = await sink.send(events, texts);
    } catch (error) {
      const why = (error as Error).message;
      throw new ReplayError(
        `stopped: ${why}${/[.?!]$/.test(why) ? '' : '.'} ${sent.toLocaleString('en-US')} events were sent before this batch; ` +
          'run the replay again once the cause is fixed (events with ids are recognised and not decided twice, within the dedup TTL and unless Redis lost its data)',
      );
    }
    // a 207 answer: the lines the other riskstream refused, named by their line in the file
    for (const [index, errors] of refusedInBatch) {
      refuse(lineNumbers[index] ?? 0, errors);
      // never on the bus: not waited for, and not among the events the figures cover
      watch?.withdraw(events[index]!.id);
    }
    sent += events.length - refusedInBatch.size;
    events = [];
    texts = [];
    lineNumbers = [];
    const now = performance.now();
    if (now >= nextProgress) {
      nextProgress = now + PROGRESS_EVERY_MS;
      showProgress(now);
    }
  };
  const refuse = (line: number, errors: readonly FieldError[]): void => {
    refused++;
    if (refused <= MAX_REPORTED) out.report(`line ${line}: ${errors.map((e) => `${e.path ? `${e.path}: ` : ''}${oneLine(e.message, 300)} (rule ${e.rule})`).join('; ')}`);
    else if (refused === MAX_REPORTED + 1) out.report(`… further refused lines are counted, not shown`);
  };
  try {
    // Lines are read as bytes (latin1 keeps each byte one character; LF and CR never occur inside a
    // UTF-8 sequence) and decoded strictly, so that a line that is not UTF-8 is refused as over HTTP
    // rather than sent with U+FFFD in place of its bytes (two account ids could become one).
    input.setEncoding('latin1');
    const reader = createInterface({ input, crlfDelay: Infinity });
    let number = 0;
    for await (const bytes of reader) {
      if (options.signal?.aborted) {
        stoppedAt = number;
        break;
      }
      number++;
      let raw: string;
      try {
        raw = strictUtf8.decode(Buffer.from(bytes, 'latin1'));
      } catch {
        lines++;
        refuse(number, [{ path: '', rule: 'utf8', message: 'not UTF-8 text: the file must be encoded in UTF-8' }]);
        continue;
      }
      // a UTF-8 byte order mark before the first line is no part of the event
      const text = number === 1 && raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
      if (text.trim() === '') continue;
      lines++;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (error) {
        // the first line of a data set's CSV: say how to turn it into events
        if (lines === 1 && (/\.csv$/i.test(options.file) || (text.includes(',') && !text.trimStart().startsWith('{')))) {
          out.report('this looks like CSV, not NDJSON events: convert a public data set first with `riskstream import <format> FILE --out events.ndjson`');
        }
        refuse(number, [{ path: '', rule: 'json', message: `not JSON (${oneLine((error as Error).message, 160)})` }]);
        continue;
      }
      // Events without an id get one, as over HTTP; give them ids to make a replay repeatable.
      const result = validateEvent(value, randomUUID);
      // what JSON.parse takes without a word but ingest refuses: a field named twice, a lone surrogate, nesting too deep
      const textErrors = jsonTextErrors(text, value);
      if (!result.ok || textErrors.length > 0) {
        refuse(number, [...textErrors, ...(result.ok ? [] : result.errors)]);
        continue;
      }
      if (result.event.ts < retentionStart) beyondRetention++;
      watch?.expect(result.event.id);
      events.push(result.event);
      lineNumbers.push(number);
      texts.push((value as { id?: unknown }).id === undefined ? JSON.stringify({ ...(value as object), id: result.event.id }) : text);
      if (events.length >= batchSize) await flush();
    }
    await flush();
  } finally {
    await sink.close();
  }
  const sendSeconds = (performance.now() - started) / 1000;
  out.report(`replay: ${sent.toLocaleString('en-US')} of ${lines.toLocaleString('en-US')} events sent in ${sendSeconds.toFixed(1)} s, ${refused} refused`);
  if (stoppedAt !== null) {
    out.report(
      `replay: stopped after line ${stoppedAt.toLocaleString('en-US')} of the file; sent again, the events already sent are recognised by their ids and not decided twice (within the dedup TTL, unless Redis lost its data)`,
    );
  }
  if (beyondRetention > 0) {
    out.report(
      `replay: ${beyondRetention.toLocaleString('en-US')} ${beyondRetention === 1 ? 'event is' : 'events are'} older than ${config.retentionDays} days: ` +
        `if the riskstream that stores them keeps RISKSTREAM_RETENTION_DAYS=${config.retentionDays} (this shell's setting${process.env.RISKSTREAM_RETENTION_DAYS ? '' : ', the default'}; its own setting decides), ` +
        'they are decided but not stored (nor counted in the minute aggregates), and the alerts raised on them are not shown on the dashboard (they could not be opened); to keep them, start it with a larger RISKSTREAM_RETENTION_DAYS',
    );
  }
  let decided: boolean | undefined;
  let evaluation: Evaluation | undefined;
  if (options.waitSeconds !== undefined && bus) decided = await waitForDecisions(bus, options.waitSeconds, out);
  if (watch && bus) {
    // Decisions and alerts are published before their inputs are acknowledged: once nothing is
    // pending they are on their way; a moment for the last of them to arrive.
    await bus.nc.flush();
    await sleep(500);
    // Events decided before (a replay stopped and run again) get no new decision: their earlier
    // ones are read back from the decisions stream, so that the figures cover the whole file.
    const live = watch.decidedCount;
    if (live < watch.size && decided === true) {
      const earlier = await earlierOutcomes(bus, watch, out);
      if (earlier > 0) {
        out.report(`replay: ${earlier.toLocaleString('en-US')} of the events were decided before this run (sent again): their earlier decisions and alerts, from the decisions stream, are in the figures`);
      }
    }
    evaluation = evaluate(watch.outcomes());
    for (const line of evaluationLines(evaluation, decided === true)) out.report(line);
    if (evaluation.decided > 0 && evaluation.decided < watch.size) {
      out.report(
        `replay: the figures cover ${evaluation.decided.toLocaleString('en-US')} of the ${watch.size.toLocaleString('en-US')} events sent: ` +
          (decided === true
            ? `${(watch.size - evaluation.decided).toLocaleString('en-US')} were decided before (sent again) and their decisions are no longer in the decisions stream`
            : `${(watch.size - evaluation.decided).toLocaleString('en-US')} got no decision in time`),
      );
    }
  }
  return {
    lines,
    sent,
    refused,
    // to the millisecond: '0.2490233169999999' in --json was float noise, not precision
    seconds: Math.round(performance.now() - started) / 1000,
    ...(stoppedAt === null ? {} : { stoppedAtLine: stoppedAt }),
    ...(decided === undefined ? {} : { decided }),
    ...(evaluation ? { evaluation } : {}),
  };
}

/** Collects, from the namespace's decision and alert subjects, the outcome of each event it is told to expect. */
function watchOutcomes(bus: Bus): OutcomeLedger {
  const ledger = new OutcomeLedger();
  const records = recordsOf;
  bus.nc.subscribe(bus.names.subjects.decisionsAll, {
    callback: (error, message) => {
      if (error) return;
      records(message.string(), (d) => {
        if (typeof d.eventId === 'string') ledger.decided(d.eventId, d.labels as EventLabels | undefined, String(d.action), typeof d.score === 'number' ? d.score : undefined, reasonCodes(d.reasons));
      });
    },
  });
  bus.nc.subscribe(bus.names.subjects.alertsAll, {
    callback: (error, message) => {
      if (error) return;
      records(message.string(), (a) => {
        if (typeof a.eventId === 'string') ledger.alerted(a.eventId, String(a.domain), reasonCodes(a.reasons));
      });
    },
  });
  return ledger;
}

async function busSink(bus: Bus, config: Config, out: ReplayOutput): Promise<Sink> {
  await ensureStreams(bus, streamLimitsOf(config), 'keep');
  const publisher = createEventPublisher(bus, config.partitions, createMetrics());
  const pacer = new BusPacer(bus, 'replay', 'the replay', out);
  return {
    // In envelopes, as the simulator sends: one message per event would cost the bus more than the rest.
    send: async (events, texts) => {
      await publisher.publishMany(events, 'replay');
      for (const text of texts) pacer.sent(text.length + 1);
      return NONE_REFUSED;
    },
    admit: () => pacer.admit(),
    close: async () => pacer.close(),
  };
}

/**
 * Another riskstream's HTTP gateway. Its bus is out of sight, but its gateway refuses events while
 * its readers are far behind (503 RS_ERR_INGEST_BACKLOG, with Retry-After): the replay then waits
 * and sends the same batch again, as the bus sink waits for the slowest reader.
 */
function httpSink(url: string, apiKey: string, out: ReplayOutput): Sink {
  const pool = new Pool(url, { connections: 4 });
  let waitedMs = 0;
  let waits = 0;
  return {
    async send(_events, texts) {
      const body = texts.join('\n');
      for (let shownAt = 0; ; ) {
        let response: Awaited<ReturnType<Pool['request']>>;
        try {
          response = await pool.request({
            path: '/v1/events:batch',
            method: 'POST',
            headers: { 'content-type': 'application/x-ndjson', 'x-api-key': apiKey },
            body,
          });
        } catch (error) {
          // 'connect ECONNREFUSED 127.0.0.1:8081' alone left the operator to work out what to check
          throw new Error(nothingAnswersAt(url, error));
        }
        const text = await response.body.text();
        if (response.statusCode === 202) return NONE_REFUSED;
        // Some lines refused (the other riskstream checks what this one does not: a currency
        // without its rate there): those lines are counted as refused, the others were taken.
        if (response.statusCode === 207) return refusedLines(text);
        const refusal = backlogRefusal(response.statusCode, text);
        if (refusal === null) throw new Error(`ingest did not accept the batch (${response.statusCode}): ${oneLine(text, 500)}${refusedBatchHint(response.statusCode)}`);
        if (waits++ === 0) out.report(`replay: waiting: ${url} refuses events for now (${refusal}); the replay sends them again once it takes them`);
        else if (performance.now() - shownAt >= WAIT_PROGRESS_MS) out.progress(`replay: waiting: ${url} is behind`);
        shownAt = performance.now();
        const ms = retryAfterMs(response.headers['retry-after']);
        waitedMs += ms;
        await sleep(ms);
      }
    },
    admit: async () => undefined,
    close: async () => {
      if (waits > 0) out.report(`replay: waited ${(waitedMs / 1000).toFixed(0)} s in all for ${url} to take events again`);
      await pool.close();
    },
  };
}


const NONE_REFUSED: ReadonlyMap<number, readonly FieldError[]> = new Map();

/** The refused lines of a 207 batch answer (`results[i].status: "rejected"`), by their index in the batch. */
function refusedLines(text: string): ReadonlyMap<number, readonly FieldError[]> {
  const refused = new Map<number, readonly FieldError[]>();
  let results: unknown;
  try {
    results = (JSON.parse(text) as { results?: unknown }).results;
  } catch {
    // said below
  }
  if (!Array.isArray(results)) throw new Error(`ingest answered 207 without its results: ${oneLine(text, 300)}`);
  results.forEach((result: { status?: unknown; code?: unknown; errors?: unknown }, index) => {
    if (result?.status !== 'rejected') return;
    const errors = Array.isArray(result.errors) ? (result.errors as FieldError[]) : [];
    refused.set(index, errors.length > 0 ? errors : [{ path: '', rule: String(result.code ?? 'refused'), message: 'refused by ingest' }]);
  });
  return refused;
}

/**
 * Reads the decisions and alerts stream for the expected events that got no decision in this
 * run (decided before: the file sent again), and gives them to the ledger. Returns how many it found.
 */
async function earlierOutcomes(bus: Bus, ledger: OutcomeLedger, out: ReplayOutput): Promise<number> {
  const found = new IdIndex();
  out.progress('replay: reading the decisions stream for events decided before this run');
  await scanRecords(bus, bus.names.streams.decisions, (d) => {
    if (typeof d.eventId !== 'string' || !ledger.awaits(d.eventId)) return;
    ledger.decided(d.eventId, d.labels as EventLabels | undefined, String(d.action), typeof d.score === 'number' ? d.score : undefined, reasonCodes(d.reasons));
    found.add(d.eventId, 0);
  });
  if (found.size > 0) {
    await scanRecords(bus, bus.names.streams.alerts, (a) => {
      if (typeof a.eventId === 'string' && found.get(a.eventId) !== undefined) ledger.alerted(a.eventId, String(a.domain), reasonCodes(a.reasons));
    });
  }
  return found.size;
}

/** Every record of a stream as it is now (core's scanStream: an ephemeral consumer of our own, no acks). */
function scanRecords(bus: Bus, stream: string, each: (record: Record<string, unknown>) => void): Promise<void> {
  return scanStream(bus, stream, {}, (message) => recordsOf(message.string(), each));
}

/** The codes of a decision's or an alert's `reasons`, for the evaluation's per-rule figures. */
function reasonCodes(reasons: unknown): string[] {
  if (!Array.isArray(reasons)) return [];
  const codes: string[] = [];
  for (const reason of reasons as { code?: unknown }[]) if (typeof reason?.code === 'string') codes.push(reason.code);
  return codes;
}

/** The records of a message (an envelope or one record); those that are not JSON are not ours to judge. */
function recordsOf(text: string, each: (record: Record<string, unknown>) => void): void {
  for (const line of splitEnvelopeText(text)) {
    let record: Record<string, unknown>;
    try {
      record = JSON.parse(line) as Record<string, unknown>;
    } catch {
      continue;
    }
    each(record);
  }
}

/**
 * --evaluate measures what the product decides from the state it holds: accounts' histories left
 * by earlier replays in the namespace shape the features. Said before sending, with what to do.
 */
async function warnEarlierState(bus: Bus, out: ReplayOutput): Promise<void> {
  const info = await bus.jsm.streams.info(bus.names.streams.decisions).catch(() => null);
  const held = info?.state.messages ?? 0;
  if (held === 0) return;
  out.report(
    `replay: namespace ${bus.names.namespace} already holds decisions (${held.toLocaleString('en-US')} messages in its decisions stream): the account histories earlier events left shape ` +
      'these events\' features too; for figures from a clean slate, replay into a fresh RISKSTREAM_NAMESPACE or after `riskstream reset --yes`',
  );
}

/** Polls the processors' consumer until nothing is pending or in flight. */
async function waitForDecisions(bus: Bus, seconds: number, out: ReplayOutput): Promise<boolean> {
  const started = Date.now();
  const deadline = started + seconds * 1000;
  const processorsRun = heardProcessors(bus);
  try {
    for (;;) {
      const lag = await consumerLag(bus, bus.names.streams.events, bus.names.consumers.processors);
      const left = lag === null ? null : lag.pending + lag.ackPending;
      if (left === 0) {
        out.report('replay: the processors have decided every event');
        return true;
      }
      if (Date.now() >= deadline) {
        // 'the processors carry on' is untrue when none runs: a heartbeat interval is enough to know
        const noneRuns = !processorsRun.heard && Date.now() - started > HEALTH_INTERVAL_MS;
        out.report(
          left === null
            ? `replay: no processors consume this namespace (${bus.names.namespace}): start riskstream (the processors role) to decide the events`
            : noneRuns
              ? `replay: ${messages(left)} still undecided after ${seconds} s, and no process with the processors role is running in namespace ${bus.names.namespace} (none sent a heartbeat): start one (riskstream start --roles processors), which decides them`
              : `replay: ${messages(left)} still undecided after ${seconds} s; the processors carry on (watch rs_consumer_lag_messages)`,
        );
        return false;
      }
      out.progress(left === null ? 'replay: waiting for the processors to start' : `replay: waiting for the processors: ${messages(left)} to decide`);
      await sleep(500);
    }
  } finally {
    processorsRun.stop();
  }
}

/** Whether a process with the processors role has sent a heartbeat since this was called (every 2 s while one runs). */
function heardProcessors(bus: Bus): { readonly heard: boolean; stop(): void } {
  let heard = false;
  const subscription = bus.nc.subscribe(bus.names.subjects.healthAll, {
    callback: (error, message) => {
      if (error || heard) return;
      try {
        heard = message.json<ProcessHealthWire>()?.roles?.includes('processors') === true;
      } catch {
        // not a heartbeat: ignored
      }
    },
  });
  return {
    get heard() {
      return heard;
    },
    stop: () => subscription.unsubscribe(),
  };
}

function messages(n: number): string {
  return countOf(n, 'message');
}
