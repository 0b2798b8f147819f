// The processor runner: consume events -> micro-batch -> features -> score -> publish decisions,
// alerts and dead letters -> ack. Inputs are acknowledged only after JetStream acknowledged every
// output; outputs carry dedup ids, and features are idempotent per event id, so a redelivered
// message yields the same decisions and never a second copy. An event that arrives again in
// another message (re-sent by its producer, alone or in another envelope) is recognised by the
// feature store's marker, which remembers where the event was first read from: it is counted as a
// duplicate, not decided again (docs/events.md, Envelopes).
import {
  BatchConsumer,
  HEADER_BATCH,
  HEADER_RECORDS,
  recordsNamed,
  PendingLimiter,
  HEADER_REPLY,
  DUPLICATE_REPLY,
  repliesOf,
  declaredRecords,
  encodeEnvelope,
  ensureConsumer,
  isEnvelope,
  messageHeaders,
  oneLine,
  splitEnvelope,
  ingestTsOf,
  kindToken,
  jsonTextErrors,
  validateEvent,
  EVENT_KINDS,
  PublishedOutputs,
  heldBy,
  type AlertWire,
  type Bus,
  type DeadLetterWire,
  type DecisionWire,
  type ErrorCode,
  type JsMsg,
  type Logger,
  type Metrics,
  type MsgHdrs,
  type PendingBudget,
  type ValidatedEvent,
} from '../core/index.js';
import type { AlertDraft, CustomerProfile, ScoringInput } from './scoring.js';
import type { FeatureVector } from './features/names.js';
import type { KpiAccumulator } from './telemetry/kpi-accumulator.js';

/** What the runner needs of the feature store. */
export interface FeatureSource {
  /**
   * `origin` in a result: where the event was read from when it was first applied; another
   * origin than this message's marks a copy of an event already decided. Absent: no duplicate
   * detection (every event is decided).
   */
  computeBatch(
    events: readonly ValidatedEvent[],
    origins: readonly string[],
  ): Promise<ReadonlyArray<{ features: FeatureVector; profile: CustomerProfile; origin?: string; customerId?: string }>>;
  /**
   * Events applied by computeBatch and then not decided (they go to the dead letters): a later
   * copy of each must be decided, not taken for a duplicate. Absent: such copies are duplicates.
   */
  release?(events: readonly ValidatedEvent[]): Promise<unknown>;
}

/** What the runner needs of the decision step. */
export type DecisionCore = {
  readonly score: number;
  readonly action: DecisionWire['action'];
  readonly reasons: DecisionWire['reasons'];
  readonly models: DecisionWire['models'];
  readonly alerts: readonly AlertDraft[];
};
export type DecideFn = (input: ScoringInput) => DecisionCore;

export type ProcessorOptions = {
  readonly bus: Bus;
  readonly features: FeatureSource;
  readonly decide: DecideFn;
  readonly metrics: Metrics;
  readonly logger: Logger;
  /** Events per micro-batch at most (default 64; envelopes count their records). */
  readonly maxBatch?: number;
  /** How long a partial batch waits for more (default 2 ms), while events arrive at `waitAbovePerSecond` or faster. */
  readonly maxWaitMs?: number;
  /**
   * Below this arrival rate (events a second; default 1,000) a partial batch does not wait: fewer
   * than two more events would come within the 2 ms, and each would wait for nothing (0002,
   * update of 2026-12-07: latency at low rates). Above it the wait fills batches, which is what
   * keeps the CPU per event down at high rates.
   */
  readonly waitAbovePerSecond?: number;
  /**
   * Batches worked on at once (default 4). Many small batches rather than a few large ones: one
   * feature-store script per batch holds Redis for the whole batch, and an event waits for every
   * other event of its batch (0002, thirteenth-session update).
   */
  readonly concurrency?: number;
  /** Counts decisions per second for the live dashboard (optional). */
  readonly kpis?: KpiAccumulator;
};

/** Whether the processors are deciding: since when every batch has failed, and why (null while they work). */
export type ProcessorStatus = { readonly failingSinceMs: number | null; readonly lastError: string | null };

/** How long every batch must have failed before the processors count as not working (/healthz): a blip is not an outage. */
export const PROCESSORS_FAILING_AFTER_MS = 30_000;

/** What /healthz says of processors whose batches keep failing, or null while they work. */
export function processorsProblem(status: ProcessorStatus, nowMs: number, afterMs = PROCESSORS_FAILING_AFTER_MS): string | null {
  if (status.failingSinceMs === null || nowMs - status.failingSinceMs < afterMs) return null;
  return `every batch has failed for ${Math.round((nowMs - status.failingSinceMs) / 1000)} s, so nothing is decided; events wait on the stream; last error: ${status.lastError ?? 'no error text'}`;
}

export type Processor = {
  start(): Promise<void>;
  /** Stops taking events and finishes the batches in flight. */
  drain(): Promise<void>;
  status(): ProcessorStatus;
};

const MAX_DLQ_PAYLOAD = 64 * 1024;
/** What the processors' consumer may hold: 1,000 single events, or envelopes worth ≈ 20,000 events (a few seconds of work). */
const PENDING: PendingBudget = { maxMessages: 1_000, maxRecords: 20_000, minMessages: 50 };
const RESIZE_EVERY_MS = 5_000;
/** How long past the ack wait the start-up allowance lasts: what the dead held is redelivered by then. */
const HELD_MARGIN_MS = 10_000;
const NO_ALERTS: readonly AlertWire[] = [];
const decoder = new TextDecoder();
/** For reading a record: bytes that are not UTF-8 are refused, not replaced. */
const strictDecoder = new TextDecoder('utf-8', { fatal: true });

/**
 * One input message: a single event, or an envelope of several. Its decisions go out together —
 * one decision message per input message — and it is acknowledged once they are stored.
 */
type Input = {
  readonly message: JsMsg;
  readonly envelope: boolean;
  /** Records in the message (1 for a single event). */
  readonly records: number;
  /** Decision JSON lines of an envelope, filled while scoring in record order, their event ids and their records' places in the envelope. */
  readonly decisions: string[];
  readonly decisionIds: string[];
  readonly decisionRecords: number[];
  /** The kind of the envelope's events (the subject's), known once one is decided. */
  kind: ValidatedEvent['kind'] | null;
  /** Where callers wait for decisions: by record index (envelope) or at index 0 (single message); null when nobody waits. */
  readonly replies: ReadonlyMap<number, string> | null;
};
type Parsed = { readonly input: Input; readonly index: number | null; readonly data: Uint8Array; readonly event: ValidatedEvent; readonly ingestTs: number | null };
/** A record refused: `index` is its place in an envelope, null for a single-event message. */
/** The codes the processors dead-letter with (Rejected['code']). */
const PROCESSOR_DEAD_LETTER_CODES = ['RS_ERR_BUS_JSON', 'RS_ERR_BUS_SCHEMA', 'RS_ERR_BUS_SUBJECT', 'RS_ERR_SCORER'] as const satisfies readonly ErrorCode[];

type Rejected = { readonly input: Input; readonly index: number | null; readonly data: Uint8Array; readonly code: (typeof PROCESSOR_DEAD_LETTER_CODES)[number]; readonly reason: string };
/** Publishes one output of the batch under its dedup id (unless an earlier attempt already did: PublishedOutputs). */
type Publish = (subject: string, data: string, id: string, headers?: MsgHdrs) => void;
/** For an output an earlier attempt published: a decision part's records ('' when it did not say); undefined for one not published. */
type KnownRecords = (id: string) => string | undefined;

export function createProcessor(options: ProcessorOptions): Processor {
  return new ProcessorRunner(options);
}

class ProcessorRunner implements Processor {
  private readonly _o: ProcessorOptions;
  private _consumer: BatchConsumer | undefined;
  private _limiter: PendingLimiter | undefined;
  private _resizeTimer: NodeJS.Timeout | undefined;
  private _failingSinceMs: number | null = null;
  private _lastError: string | null = null;
  private readonly _published = new PublishedOutputs();

  constructor(options: ProcessorOptions) {
    this._o = options;
    this._handleBatch = this._handleBatch.bind(this);
    // Every series it may count exists from the start at 0, so that the first dead letter or
    // duplicate shows in Prometheus's increase() (a series born at 1 does not).
    for (const code of PROCESSOR_DEAD_LETTER_CODES) options.metrics.deadLettered.inc({ source: 'processors', code }, 0);
    for (const kind of EVENT_KINDS) options.metrics.duplicates.inc({ kind }, 0);
  }

  async start(): Promise<void> {
    const { bus, logger } = this._o;
    const spec = {
      stream: bus.names.streams.events,
      durable: bus.names.consumers.processors,
      filterSubject: bus.names.subjects.eventsAll,
      ackWaitMs: 30_000,
      // Messages, not events: an envelope holds up to 256 events. What is delivered and not yet
      // acknowledged must be worked off well within the ack wait, or it is delivered twice: the
      // limiter lowers the limit to ≈ 20,000 events' worth when the messages are envelopes.
      maxAckPending: PENDING.maxMessages,
    };
    const consumer = await ensureConsumer(bus, spec);
    this._limiter = new PendingLimiter(bus, bus.names.streams.events, bus.names.consumers.processors, PENDING, logger);
    // After a kill under a backlog the dead process's deliveries fill the limit until they time out.
    await this._limiter.allowHeld(spec.ackWaitMs + HELD_MARGIN_MS).catch((error: unknown) => logger.warn({ err: error }, 'could not look for deliveries held by earlier processes'));
    // What the dead published for those deliveries, if it may be older than the duplicate window when they come back.
    await this._lookBack(spec.ackWaitMs + HELD_MARGIN_MS).catch((error: unknown) =>
      logger.warn({ err: error }, 'could not read back what an earlier process published: outputs it published more than 2 minutes ago may be published again'),
    );
    this._resizeTimer = setInterval(() => {
      this._limiter?.resize().catch((error: unknown) => logger.debug({ err: error }, 'could not resize the processors consumer'));
    }, RESIZE_EVERY_MS);
    this._resizeTimer.unref();
    this._consumer = new BatchConsumer(consumer, this._handleBatch, {
      maxBatch: this._o.maxBatch ?? 64,
      maxWaitMs: this._o.maxWaitMs ?? 2,
      waitAbovePerSecond: this._o.waitAbovePerSecond ?? 1000,
      concurrency: this._o.concurrency ?? 4,
      // As many messages asked for at a time as before batches were made smaller.
      pullSize: 1024,
      weightOf: recordsOf,
      logger,
      onError: (error: unknown) => {
        this._o.metrics.batchFailures.inc();
        this._failingSinceMs ??= Date.now();
        this._lastError = oneLine((error as Error)?.message ?? String(error), 300);
      },
      recreate: () => ensureConsumer(bus, spec),
      ackWaitMs: spec.ackWaitMs,
    });
    await this._consumer.start();
    logger.info({ stream: bus.names.streams.events, durable: bus.names.consumers.processors }, 'processors consuming');
  }

  /** What a stopped process published for the messages it left unacknowledged (PublishedOutputs.lookBack). */
  private async _lookBack(heldForMs: number): Promise<void> {
    const { bus, logger } = this._o;
    const { streams } = bus.names;
    const held = await heldBy(bus, streams.events, bus.names.consumers.processors);
    await this._published.lookBack(bus, [streams.decisions, streams.alerts, streams.dlq], held, heldForMs, logger);
  }

  status(): ProcessorStatus {
    // a batch handled since the last failure ends the streak
    if (this._consumer && this._consumer.failures === 0) this._failingSinceMs = null;
    return { failingSinceMs: this._failingSinceMs, lastError: this._failingSinceMs === null ? null : this._lastError };
  }

  async drain(): Promise<void> {
    if (this._resizeTimer) clearInterval(this._resizeTimer);
    await this._consumer?.drain();
  }

  private async _handleBatch(messages: JsMsg[]): Promise<void> {
    const { bus, metrics, features, decide, kpis } = this._o;
    const started = performance.now();

    const inputs: Input[] = [];
    const parsed: Parsed[] = [];
    const rejected: Rejected[] = [];
    for (const message of messages) inputs.push(parseMessage(message, bus.names.namespace, parsed, rejected));
    metrics.batchSize.observe(parsed.length + rejected.length);
    this._limiter?.count(messages.length, parsed.length + rejected.length);

    const featureStart = performance.now();
    const results = parsed.length > 0 ? await features.computeBatch(parsed.map(eventOf), parsed.map(originOf)) : [];
    const scoreStart = performance.now();
    metrics.stageLatency.observe({ stage: 'batch_features' }, (scoreStart - featureStart) / 1000);

    const publishes: Array<Promise<unknown>> = [];
    /** The dedup ids of the bus publishes, in the order of `publishes` (the feature store's release, if any, comes after them), and a decision part's records. */
    const sentIds: string[] = [];
    const sentRecords: Array<string | undefined> = [];
    const published = this._published;
    const guarded = !published.empty;
    /** Outputs an earlier attempt published: not again. */
    const skipped: string[] = [];
    const publish: Publish = (subject, data, id, headers) => {
      if (guarded && published.has(id)) {
        skipped.push(id);
        metrics.notRepublished.inc();
        return;
      }
      publishes.push(bus.publisher.publish(subject, data, id, headers));
      sentIds.push(id);
      sentRecords.push(headers?.get(HEADER_RECORDS) || undefined);
    };
    const known: KnownRecords = (id) => (guarded && published.has(id) ? published.recordsOf(id) ?? '' : undefined);
    const replies: Array<[string, string]> = [];
    /** Applied and not decided: released, so that the dead letter can be sent again and decided. */
    const undecided: ValidatedEvent[] = [];
    const processingMs = Math.round(scoreStart - started);
    const now = Date.now();
    for (let i = 0; i < parsed.length; i++) {
      const item = parsed[i]!;
      const result = results[i]!;
      // An empty origin is a marker without one (written before origins were kept): decide.
      if (result.origin !== undefined && result.origin !== '' && result.origin !== originOf(item)) {
        // Decided when it was first read (that message is redelivered until its decision is
        // stored): no second decision. A caller waiting in line is told to read the stored one.
        metrics.duplicates.inc({ kind: item.event.kind });
        const replyTo = replyOf(item);
        if (replyTo) replies.push([replyTo, DUPLICATE_REPLY]);
        continue;
      }
      const { labels: _labels, ...scoringEvent } = item.event;
      let core: DecisionCore;
      try {
        core = decide({ event: scoringEvent, features: result.features, profile: result.profile });
      } catch (error) {
        // decide() isolates scorer failures itself; reaching here is a bug, so fail safe and say so.
        rejected.push({ input: item.input, index: item.index, data: item.data, code: 'RS_ERR_SCORER', reason: `${recordPrefix(item.input, item.index)}${safeReason(error)}` });
        undecided.push(item.event);
        continue;
      }
      // a payment naming no customer is the linked holder's (FeatureResult.customerId)
      const customerId = result.customerId || item.event.customerId;
      const decision = buildDecision(item, customerId, result.features, result.profile, core, now, processingMs);
      const data = JSON.stringify(decision);
      if (item.input.envelope) {
        item.input.decisions.push(data);
        item.input.decisionIds.push(item.event.id);
        item.input.decisionRecords.push(item.index!);
        item.input.kind = item.event.kind;
      } else {
        publish(bus.names.decisionSubject(item.event.kind), data, item.event.id);
      }
      const replyTo = replyOf(item);
      if (replyTo) replies.push([replyTo, data]);
      const alerts = core.alerts.length === 0 ? NO_ALERTS : core.alerts.map((draft) => buildAlert(item, customerId, result.profile, draft, now));
      for (const alert of alerts) {
        publish(bus.names.alertSubject(alert.domain), JSON.stringify(alert), alert.id);
        metrics.alerts.inc({ domain: alert.domain, severity: alert.severity });
      }
      kpis?.record(decision, alerts);
      metrics.decisions.inc({ kind: item.event.kind, action: decision.action });
      if (item.ingestTs !== null) metrics.stageLatency.observe({ stage: 'ingest_to_decision' }, (now - item.ingestTs) / 1000);
    }
    for (const input of inputs) {
      if (input.decisions.length > 0) publishDecisionEnvelopes(bus, input, publish, known);
    }
    for (const reject of rejected) {
      const letter = deadLetterOf('processors', reject.input.message, reject.code, reject.reason, reject.index, reject.data);
      publish(bus.names.dlqSubject('processors'), letter.data, letter.id);
      metrics.deadLettered.inc({ source: 'processors', code: reject.code });
    }
    if (undecided.length > 0 && features.release) publishes.push(features.release(undecided));
    if (rejected.length > 0) this._o.logger.warn({ count: rejected.length, code: rejected[0]!.code, first: rejected[0]!.reason }, 'messages sent to the dead-letter stream');
    const publishStart = performance.now();
    metrics.stageLatency.observe({ stage: 'batch_score' }, (publishStart - scoreStart) / 1000);
    // Every output must be stored by JetStream before any input is acknowledged.
    try {
      await Promise.all(publishes);
    } catch (error) {
      // The batch is retried; what JetStream stored is not published again then (PublishedOutputs).
      const settled = await Promise.allSettled(publishes);
      const stored = sentIds.flatMap((_, i) => (settled[i]!.status === 'fulfilled' ? [i] : []));
      published.remember(
        stored.map((i) => sentIds[i]!),
        stored.map((i) => sentRecords[i]),
      );
      throw error;
    }
    for (const [subject, data] of replies) sendReply(bus, subject, data, this._o.logger);
    for (const message of messages) message.ack();
    if (guarded) published.forget(skipped);
    const done = performance.now();
    metrics.stageLatency.observe({ stage: 'batch_publish' }, (done - publishStart) / 1000);
    metrics.stageLatency.observe({ stage: 'batch_total' }, (done - started) / 1000);
  }
}

/** How a dead letter names a record of an envelope; nothing for a single-event message. */
function recordPrefix(input: Input, index: number | null): string {
  return index === null ? '' : `record ${index + 1} of ${input.records} in the envelope: `;
}

function recordsOf(message: JsMsg): number {
  return declaredRecords(message.headers);
}

/**
 * Records per decision envelope part: part k holds the decisions of the input's records 64k to
 * 64k + 63 (those decided). Parts are cut by the records' places, never by size or by position
 * among the decisions: a redelivered envelope's decisions differ in their latency figures (so in
 * length), and which records are decided can differ too (a re-sent copy taken for a duplicate on
 * one attempt, decided on a later one when its marker has expired); a part id that covered other
 * records on another attempt would be dropped as already stored — a decision never published — or
 * stored twice. 64 decisions of the usual 1–3 KiB make ~200 KiB.
 */
const DECISIONS_PER_PART = 64;

/** Room left for headers under the server's max_payload. */
const HEADER_ROOM = 4096;

/**
 * The decisions of one input envelope, as envelopes on the decision subject of its kind: part k
 * holds those of records 64k to 64k + 63 (DECISIONS_PER_PART). The dedup ids come from the input's
 * stream position (`dec:<stream>:<seq>`, then `…:<part>`), so a redelivered envelope republishes
 * the same ids and JetStream (or PublishedOutputs) drops the copies. A part that would not fit the
 * server's max_payload (decisions with very long reasons) goes out as single decisions under their
 * event ids instead, which are as stable.
 */
function publishDecisionEnvelopes(bus: Bus, input: Input, publish: Publish, known: KnownRecords): void {
  const { message } = input;
  const subject = bus.names.decisionSubject(input.kind!);
  const baseId = `dec:${message.info.stream}:${message.seq}`;
  const maxBytes = (bus.nc.info?.max_payload ?? 1024 * 1024) - HEADER_ROOM;
  const lines = input.decisions;
  const records = input.decisionRecords;
  for (let start = 0; start < lines.length; ) {
    // the decisions (in record order) of the part that holds record records[start]
    const part = Math.floor(records[start]! / DECISIONS_PER_PART);
    let end = start + 1;
    while (end < lines.length && Math.floor(records[end]! / DECISIONS_PER_PART) === part) end++;
    const id = part === 0 ? baseId : `${baseId}:${part}`;
    const stored = known(id);
    if (stored !== undefined && stored !== '') {
      // An earlier attempt stored this part. A record it did not hold (a re-sent copy then, decided
      // now that its marker is gone) would be left out with it: its decision goes out alone.
      const held = recordsNamed(stored);
      for (let i = start; i < end; i++) if (!held.has(records[i]!)) publish(subject, lines[i]!, input.decisionIds[i]!);
    }
    const chunk = start === 0 && end === lines.length ? lines : lines.slice(start, end);
    const text = encodeEnvelope(chunk);
    // UTF-8 takes at most 3 bytes per UTF-16 unit: count bytes only when it could matter.
    if (text.length * 3 > maxBytes && Buffer.byteLength(text) > maxBytes) {
      for (let i = start; i < end; i++) publish(subject, lines[i]!, input.decisionIds[i]!);
    } else {
      const h = messageHeaders();
      h.set(HEADER_BATCH, String(end - start));
      h.set(HEADER_RECORDS, records.slice(start, end).join(' '));
      publish(subject, text, id, h);
    }
    start = end;
  }
}

/** The subject where a caller waits for this record's decision, if any. */
function replyOf(p: Parsed): string | undefined {
  return p.input.replies?.get(p.index ?? 0);
}

function eventOf(p: Parsed): ValidatedEvent {
  return p.event;
}

/** Where a record was read from: the message's stream sequence, and its place in an envelope. */
function originOf(p: Parsed): string {
  const seq = String(p.input.message.seq);
  return p.index === null ? seq : `${seq}:${p.index}`;
}

function parseMessage(message: JsMsg, namespace: string, parsed: Parsed[], rejected: Rejected[]): Input {
  const ingestTs = ingestTsOf(message);
  if (!isEnvelope(message.headers)) {
    const replyTo = message.headers?.get(HEADER_REPLY);
    const input: Input = { message, envelope: false, records: 1, decisions: [], decisionIds: [], decisionRecords: [], kind: null, replies: replyTo ? new Map([[0, replyTo]]) : null };
    parseRecord(input, null, message.data, namespace, ingestTs, parsed, rejected);
    return input;
  }
  const records = splitEnvelope(message.data);
  const input: Input = { message, envelope: true, records: records.length, decisions: [], decisionIds: [], decisionRecords: [], kind: null, replies: repliesOf(message.headers) };
  for (let i = 0; i < records.length; i++) parseRecord(input, i, records[i]!, namespace, ingestTs, parsed, rejected);
  return input;
}

function parseRecord(
  input: Input,
  index: number | null,
  data: Uint8Array,
  namespace: string,
  ingestTs: number | null,
  parsed: Parsed[],
  rejected: Rejected[],
): void {
  const where = recordPrefix(input, index);
  let value: unknown;
  let text: string;
  try {
    text = strictDecoder.decode(data);
  } catch {
    // decoded with U+FFFD in place of its bytes, it would be decided under ids it does not hold (and the writer refuses it)
    rejected.push({ input, index, data, code: 'RS_ERR_BUS_JSON', reason: `${where}not UTF-8 text` });
    return;
  }
  try {
    value = JSON.parse(text);
  } catch (error) {
    rejected.push({ input, index, data, code: 'RS_ERR_BUS_JSON', reason: `${where}not valid JSON: ${(error as Error).message}` });
    return;
  }
  const result = validateEvent(value);
  const textErrors = jsonTextErrors(text, value);
  if (!result.ok || textErrors.length > 0) {
    const reason = [...textErrors, ...(result.ok ? [] : result.errors)].map((e) => `${e.path || '/'} ${e.message}`).join('; ');
    rejected.push({ input, index, data, code: 'RS_ERR_BUS_SCHEMA', reason: `${where}${reason}` });
    return;
  }
  // rs.ev.<kind>.<partition>: the subject must name the kind the body claims.
  const subject = input.message.subject;
  const expectedPrefix = `${namespace}.ev.${kindToken(result.event.kind)}.`;
  if (!subject.startsWith(expectedPrefix)) {
    rejected.push({
      input,
      index,
      data,
      code: 'RS_ERR_BUS_SUBJECT',
      reason: `${where}a ${result.event.kind} event arrived on ${subject}; expected ${expectedPrefix}<partition>`,
    });
    return;
  }
  parsed.push({ input, index, data, event: result.event, ingestTs });
}

function buildDecision(
  item: Parsed,
  customerId: string,
  features: FeatureVector,
  profile: CustomerProfile,
  core: DecisionCore,
  now: number,
  processingMs: number,
): DecisionWire {
  const event = item.event;
  const body = event.body as Record<string, unknown>;
  const creditor = body.creditor as { accountId?: string; country?: string } | undefined;
  const debtor = body.debtor as { country?: string } | undefined;
  return {
    v: 1,
    eventId: event.id,
    eventKind: event.kind,
    eventTs: event.ts,
    ingestTs: item.ingestTs,
    decidedAt: now,
    accountId: event.partitionKey,
    customerId,
    counterpartyId: creditor?.accountId ?? '',
    channel: typeof body.channel === 'string' ? body.channel : '',
    paymentType: event.kind === 'payment' && typeof body.type === 'string' ? body.type : '',
    country: debtor?.country ?? (typeof body.country === 'string' ? body.country : profile.country),
    counterpartyCountry: creditor?.country ?? '',
    segment: profile.segment,
    amountMinor: event.amountMinor,
    currency: event.currency,
    score: core.score,
    action: core.action,
    reasons: core.reasons,
    models: core.models,
    features: finiteFeatures(features),
    latencyMs: { processing: processingMs, total: item.ingestTs === null ? null : now - item.ingestTs },
    ...(event.labels ? { labels: event.labels } : {}),
  };
}

/**
 * The features as the decision carries them: numbers only. A feature that is not finite (a
 * feature-store fault; the rules that read it report an error) would be `null` in JSON, and the
 * decision refused by storage as a whole: it is left out instead, and the decision stored.
 */
export function finiteFeatures(features: FeatureVector): FeatureVector {
  for (const name in features) {
    if (!Number.isFinite(features[name])) {
      const kept: Record<string, number> = {};
      for (const [key, value] of Object.entries(features)) if (Number.isFinite(value)) kept[key] = value as number;
      return kept as FeatureVector;
    }
  }
  return features;
}

function buildAlert(item: Parsed, customerId: string, profile: CustomerProfile, draft: AlertDraft, now: number): AlertWire {
  const event = item.event;
  return {
    v: 1,
    // Deterministic, so that a redelivered event republishes the same alert id (deduplicated).
    id: `${event.id}~${draft.domain}~${draft.typology}`,
    eventId: event.id,
    eventKind: event.kind,
    ts: event.ts,
    createdAt: now,
    domain: draft.domain,
    typology: draft.typology,
    severity: draft.severity,
    score: draft.score,
    accountId: event.partitionKey,
    customerId,
    segment: profile.segment,
    amountMinor: event.amountMinor,
    currency: event.currency,
    reasons: draft.reasons,
  };
}

/**
 * Answers a caller waiting for a decision (`Rs-Reply`, `Rs-Replies`). Best effort, as every core
 * NATS publish is: a subject NATS refuses (a producer's header holding a space) is logged, never
 * thrown, or the batch would fail after its outputs were stored and be delivered again forever.
 */
function sendReply(bus: Bus, subject: string, data: string, logger: Logger): void {
  try {
    bus.nc.publish(subject, data);
  } catch (error) {
    logger.warn({ subject: JSON.stringify(subject.slice(0, 200)), err: error }, 'could not answer a waiting caller: NATS refuses its reply subject');
  }
}

function safeReason(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}`.slice(0, 500) : 'unknown failure';
}

/**
 * Publishes a dead letter for a message, or for one record of an envelope (`index`, `data`). Its
 * dedup id is the source stream position (and the record's place), so a redelivery adds none.
 */
export function publishDeadLetter(
  bus: Bus,
  source: string,
  message: JsMsg,
  code: ErrorCode,
  reason: string,
  index: number | null = null,
  data: Uint8Array = message.data,
): Promise<unknown> {
  const letter = deadLetterOf(source, message, code, reason, index, data);
  return bus.publisher.publish(bus.names.dlqSubject(source), letter.data, letter.id);
}

/** A dead letter's JSON and its dedup id (publishDeadLetter). */
function deadLetterOf(source: string, message: JsMsg, code: ErrorCode, reason: string, index: number | null, data: Uint8Array): { readonly data: string; readonly id: string } {
  const payload = decoder.decode(data);
  const letter: DeadLetterWire = {
    v: 1,
    source,
    subject: message.subject,
    streamSeq: message.seq ?? null,
    code,
    reason,
    at: Date.now(),
    payload: payload.length > MAX_DLQ_PAYLOAD ? payload.slice(0, MAX_DLQ_PAYLOAD) : payload,
  };
  return { data: JSON.stringify(letter), id: `dlq:${source}:${message.info.stream}:${message.seq}${index === null ? '' : `:${index}`}` };
}
