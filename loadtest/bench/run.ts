// The benchmark harness: drives a running riskstream at a fixed arrival rate (open loop), via
// JetStream or HTTP, and measures ingest-to-decision latency from each event's scheduled send
// time to the moment its decision is seen on the bus (so a stalled system cannot hide its delay).
import { connect, type NatsConnection } from '@nats-io/transport-node';

import { build as buildHistogram } from 'hdr-histogram-js';
import { Pool } from 'undici';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { EnvelopePublisher, JetStreamPublisher, messageHeaders, names as namesOf, natsServersOf, partitionOf } from '../../core/index.js';
import { BusMessageCount } from './bus-messages.js';
import { benchAccountsFor, createBenchPayments } from './payments.js';
import { cpuSeconds, pidOf, residentMiB } from './machine.js';
import { CPU_MIN_EVENTS, dueAtMs, dueBy, generatorFigures, latencyFigures, SEND_LAG_LIMIT_MS, throughputPerSecond, warmupFigures, type GeneratorFigures, type WarmupFigures } from './schedule.js';

export const VIAS = ['nats', 'http', 'http-batch'] as const;
export type Via = (typeof VIAS)[number];

export type BenchOptions = {
  readonly rate: number;
  readonly durationS: number;
  /**
   * Seconds of sending at the same rate before the measured window, not counted in its figures
   * (default 0): a freshly started riskstream compiles its hot code and meets every account for
   * the first time then. Sending then pauses until every warm-up event is decided (at most
   * WARMUP_DRAIN_LIMIT_MS), and the measured window starts its own schedule; warm-up events are
   * still watched for, and any never decided is reported as lost in the warm-up. Why sending pauses
   * rather than going on at the rate: loadtest/README.md, "The pause after the warm-up".
   */
  readonly warmupS?: number;
  readonly via: Via;
  readonly natsUrl: string;
  /** To find the local redis-server whose CPU is reported. */
  readonly redisUrl?: string;
  readonly namespace: string;
  readonly partitions: number;
  readonly baseUrl: string;
  readonly apiKey: string;
  /** The riskstream process to sample resident memory from. */
  readonly pid?: number;
  /** How long to wait for the last decisions after sending stops. */
  readonly graceS: number;
  /**
   * After the grace, how long (at most) to go on waiting for decisions still due while the
   * processors hold a backlog: they count as late, not lost. 0 counts them as lost at once.
   */
  readonly drainS?: number;
  /** Called about once a second while waiting for late decisions. */
  readonly onDrain?: (progress: { readonly late: number; readonly due: number; readonly backlog: number | null }) => void;
  readonly batchSize: number;
  readonly httpConnections: number;
  readonly seed: number;
  /**
   * Via NATS: events per envelope at most (1 = one message per event, as single-event producers
   * send) and how long an envelope waits for more (ms). Default 1 and 0.
   */
  readonly envelope?: EnvelopeSettings;
  /** Share of events (0–1) that are card-testing payments raising alerts (default 0). */
  readonly alertShare?: number;
  readonly onProgress?: (p: BenchProgress) => void;
  /**
   * Called once, as sending starts, with the wall-clock time (epoch ms) at which the measured
   * window starts (after the warm-up): for figures taken beside the load, such as alert delivery.
   */
  readonly onMeasuredWindow?: (startsAtEpochMs: number) => void;
  /** Called once the measured window's sending has ended (or was interrupted), before the grace. */
  readonly onSendingEnded?: () => void;
  /**
   * Whether riskstream's CPU by thread may be read from /metrics at baseUrl (default true): only
   * when that process is known to serve the namespace measured.
   */
  readonly threadCpu?: boolean;
  /** Interrupts the run: sending stops, waiting stops, and the figures so far come back as partial. */
  readonly signal?: AbortSignal;
};

/**
 * How the load generator groups events via NATS: at most maxRecords per envelope (1 = one message
 * per event), waiting up to lingerMs; `scope` kind puts events of every partition in one envelope
 * (on the mixed subject), partition one envelope per partition subject.
 */
export type EnvelopeSettings = { readonly maxRecords: number; readonly lingerMs: number; readonly scope: 'kind' | 'partition' };

export type BenchProgress = { readonly elapsedS: number; readonly sent: number; readonly decided: number; readonly inFlight: number };

export type BenchResult = {
  /** Interrupted (SIGINT, SIGTERM): the figures so far, without the grace or the drain. */
  readonly partial: boolean;
  readonly via: Via;
  /** Via NATS: events per envelope at most and the linger (ms); 1 and 0 without envelopes. */
  readonly envelope: EnvelopeSettings;
  readonly rate: number;
  readonly durationS: number;
  /**
   * The warm-up before the measured window: its seconds, events sent, refused (not acknowledged:
   * an error answer, or none), accepted and never decided, how
   * long it ran in all (sending, then waiting for its events' decisions), how long of that sending
   * paused (no load while the system worked off the warm-up's backlog), whether they were all
   * decided when the window opened, and how many were not.
   */
  readonly warmup: WarmupFigures & { readonly seconds: number; readonly sent: number; readonly refused: number; readonly lost: number; readonly drained: boolean; readonly undecidedAtWindow: number };
  /** From here on, figures count the measured window only. */
  readonly sent: number;
  readonly accepted: number;
  /** Not acknowledged (an error, or no answer in time: such an event may still be stored). */
  readonly refused: number;
  /** Of the refused, those decided all the same (stored although the acknowledgement failed). */
  readonly refusedDecided: number;
  /** Refusals by why (HTTP: the error code answered, or the status; NATS: the publish error), measured window only. */
  readonly refusedWhy: Readonly<Record<string, number>>;
  /** Decided within the grace after sending stopped: throughput and CPU per event count these. */
  readonly decided: number;
  /** Decided after the grace, while the system worked off its backlog. */
  readonly late: number;
  /** Accepted and never decided (after the backlog drained, or when waiting gave up), counted per event. */
  readonly lost: number;
  /**
   * Decided by the end of the grace, per second of sending: above the sustained rate when a backlog
   * builds. Kept for scripts; no longer printed or recorded since 2026-12-06 (21:30): see throughputPerSecond.
   */
  readonly achievedPerSecond: number;
  /**
   * Decided (late ones included) per second from the window's start to the last decision (or the
   * window's end, if later): the rate the system really decided at.
   */
  readonly throughputPerSecond: number;
  /** How the load generator kept the schedule: real sending time, rate offered, events sent late. */
  readonly generator: GeneratorFigures;
  /** Decided before sending stopped: what the system kept up with while the load was on. */
  readonly decidedWhileSending: number;
  /** The same per second of sending. */
  readonly decidedWhileSendingPerSecond: number;
  /** Ingest-to-decision percentiles (ms), never above maxMs; null when nothing was decided. */
  readonly p50Ms: number | null;
  readonly p95Ms: number | null;
  readonly p99Ms: number | null;
  readonly maxMs: number | null;
  readonly rssMaxMiB: number | null;
  /**
   * Messages of the events stream that carried the measured window's accepted events (the distinct
   * sequences of their acknowledgements), whatever else the namespace carried: with envelopes, from
   * the load generator or grouped by the HTTP gateway, fewer than the events. Before 2026-12-07 the
   * stream's whole count over the window, a running demo's simulator included. Null when unknown.
   */
  readonly busMessages: number | null;
  /** CPU milliseconds per 1,000 decided events, per process on this machine (null when unknown). */
  readonly cpuMsPer1k: { readonly riskstream: number | null; readonly nats: number | null; readonly redis: number | null; readonly bench: number | null };
  /**
   * riskstream's CPU ms per 1,000 decided events by thread group (its rs_thread_cpu_seconds_total:
   * main, processors, writer_mapping, storage_engine, runtime); null when its /metrics did not say.
   */
  readonly cpuMsPer1kByThread: Readonly<Record<string, number>> | null;
  /** Fewer than CPU_MIN_EVENTS decided: CPU per event is too noisy to mean anything. */
  readonly cpuFromFewEvents: boolean;
  /** CPU by thread was asked for, but riskstream's /metrics did not answer (in 5 s) or did not say. */
  readonly threadCpuUnanswered: boolean;
};

const MAX_IN_FLIGHT = 20_000;
/**
 * How long the measured window waits at most for the warm-up's events to be decided (its backlog
 * to drain) before it opens anyway, saying so.
 */
export const WARMUP_DRAIN_LIMIT_MS = 30_000;
const ACCEPTED = 1;
const REFUSED = 2;

/** Events from `from` to `to` (exclusive) in `state` whose decided flag is `decided`. */
function countWhere(ackState: Uint8Array, decidedFlags: Uint8Array, state: number, decided: number, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) if (ackState[i] === state && decidedFlags[i] === decided) n++;
  return n;
}
const EVENT_ID_FIELD = '"eventId":"';

export async function runBench(options: BenchOptions): Promise<BenchResult> {
  const names = namesOf(options.namespace);
  const signal = options.signal;
  const nc: NatsConnection = await connect({ ...natsServersOf(options.natsUrl), name: 'riskstream-bench' });
  // Events 0 … warm-1 are the warm-up, warm … total-1 the measured window. Each phase has its own
  // schedule: event n of a phase is due dueAtMs(n) after the phase starts.
  const warm = Math.round(options.rate * (options.warmupS ?? 0));
  const measuredCount = Math.ceil(options.rate * options.durationS);
  const total = warm + measuredCount;
  const runId = `b${Date.now().toString(36)}`;
  const prefix = `${runId}-`;
  const decidedFlags = new Uint8Array(total);
  /** Per event: 0 in flight, ACCEPTED or REFUSED. */
  const ackState = new Uint8Array(total);
  const histogram = buildHistogram({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3 });
  let decided = 0;
  let accepted = 0;
  let refused = 0;
  let sent = 0;
  let inFlight = 0;
  /** Warm-up events not yet acknowledged or refused. */
  let warmInFlight = 0;
  let rssMax: number | null = null;
  /** performance.now() of the last decision of a measured event. */
  let lastDecisionAt: number | null = null;
  const refusedWhy = new Map<string, number>();
  const busMessages = new BusMessageCount();
  /** Counts a refusal of the measured window by why. */
  const why = (n: number, reason: string): void => {
    if (n >= warm) refusedWhy.set(reason, (refusedWhy.get(reason) ?? 0) + 1);
  };
  const started = performance.now();
  /** When the measured window started (its event 0 was due): set as it opens. */
  let measuredStart = Number.POSITIVE_INFINITY;
  const scheduledOf = (n: number): number => (n < warm ? started + dueAtMs(n, options.rate) : measuredStart + dueAtMs(n - warm, options.rate));

  const decisions = nc.subscribe(names.subjects.decisionsAll, {
    callback(error, message) {
      if (error) return;
      const seen = performance.now();
      // A decision, or an envelope of them, one per line: read each "eventId" without parsing.
      const text = message.string();
      for (let at = text.indexOf(EVENT_ID_FIELD); at >= 0; at = text.indexOf(EVENT_ID_FIELD, at + 1)) {
        const start = at + EVENT_ID_FIELD.length;
        if (!text.startsWith(prefix, start)) continue;
        const end = text.indexOf('"', start);
        const n = Number(text.slice(start + prefix.length, end));
        if (!(n >= 0 && n < total) || decidedFlags[n]) continue;
        decidedFlags[n] = 1;
        if (n < warm) continue;
        decided++;
        lastDecisionAt = seen;
        histogram.recordValue(Math.max(1, Math.round((seen - scheduledOf(n)) * 1000)));
      }
    },
  });
  await nc.flush();

  // Made once, before the load: making one later asks the server for the account first, and after
  // a saturating run that request can wait behind the whole backlog of decisions this connection
  // still has to read, and time out (it ended a 60 s suite run once).
  const jsm = await jetstreamManager(nc);

  const payments = createBenchPayments(options.seed, { accounts: benchAccountsFor(total), alertShare: options.alertShare ?? 0, accountPrefix: prefix });
  const publisher = new JetStreamPublisher(nc, 10_000);
  const envelope: EnvelopeSettings = options.envelope ?? { maxRecords: 1, lingerMs: 0, scope: 'partition' };
  const mixedSubject = names.mixedEventSubject('payment');
  const envelopes = envelope.maxRecords > 1 ? new EnvelopePublisher(publisher, { ...envelope, idPrefix: runId }) : undefined;
  const settle = (n: number, ok: boolean): void => {
    ackState[n] = ok ? ACCEPTED : REFUSED;
    onAck(ok, n);
  };
  /** Event n stored in the events stream's message `seq` (its own, or an envelope's). */
  const stored = (n: number, seq: unknown): void => {
    if (n >= warm && typeof seq === 'number') busMessages.add(seq);
    settle(n, true);
  };
  const pool = options.via === 'nats' ? undefined : new Pool(options.baseUrl, { connections: options.httpConnections, pipelining: 1 });
  const send: (from: number, to: number, phaseEnd: number) => void = options.via === 'nats' ? sendNats : options.via === 'http' ? sendHttp : sendHttpBatch;

  /** Event n acknowledged (ok) or refused; warm-up events count only towards what is in flight. */
  function onAck(ok: boolean, n: number): void {
    inFlight--;
    if (n < warm) {
      warmInFlight--;
      return;
    }
    if (ok) accepted++;
    else refused++;
  }

  function sendNats(from: number, to: number, _phaseEnd: number): void {
    for (let n = from; n < to; n++) {
      const event = payments.next(`${prefix}${n}`, Date.now());
      const account = (event.debtor as { accountId: string }).accountId;
      const subject = envelopes && envelope.scope === 'kind' ? mixedSubject : names.eventSubject('payment', partitionOf(account, options.partitions));
      inFlight++;
      const published = envelopes
        ? envelopes.add(subject, JSON.stringify(event))
        : publisher.publish(subject, JSON.stringify(event), event.id as string, messageHeaders(Date.now()));
      published.then(
        (ack) => stored(n, ack.seq),
        (error: unknown) => {
          why(n, `publish failed: ${(error as Error).message}`);
          settle(n, false);
        },
      );
    }
  }

  function sendHttp(from: number, to: number, _phaseEnd: number): void {
    for (let n = from; n < to; n++) {
      const event = payments.next(`${prefix}${n}`, Date.now());
      inFlight++;
      pool!
        .request({
          path: '/v1/events',
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': options.apiKey },
          body: JSON.stringify(event),
        })
        .then(
          async (response) => {
            if (response.statusCode === 202) {
              stored(n, seqOf(await response.body.text().catch(() => '')));
              return;
            }
            why(n, refusalOf(response.statusCode, await response.body.text().catch(() => '')));
            settle(n, false);
          },
          (error: unknown) => {
            why(n, `no answer: ${(error as Error).message}`);
            settle(n, false);
          },
        );
    }
  }

  let batchStart = 0;
  /** Batches fill up to batchSize; a phase's last partial batch goes when it ends (`phaseEnd`). */
  function sendHttpBatch(_from: number, to: number, phaseEnd: number): void {
    while (to - batchStart >= options.batchSize || (to === phaseEnd && batchStart < to)) {
      const end = Math.min(batchStart + options.batchSize, to);
      const lines: string[] = [];
      for (let n = batchStart; n < end; n++) lines.push(JSON.stringify(payments.next(`${prefix}${n}`, Date.now())));
      const count = end - batchStart;
      const first = batchStart;
      batchStart = end;
      inFlight += count;
      pool!
        .request({
          path: '/v1/events:batch',
          method: 'POST',
          headers: { 'content-type': 'application/x-ndjson', 'x-api-key': options.apiKey },
          body: lines.join('\n'),
        })
        .then(
          async (response) => {
            const text = await response.body.text();
            let body: { results?: Array<{ line: number; status: string; code?: string; seq?: number }> } = {};
            try {
              body = JSON.parse(text) as typeof body;
            } catch {
              // not JSON: every line refused, by the status
            }
            // One answer per line (1-based), in order: accepted (or a duplicate: stored before) or rejected.
            const lines = new Map((body.results ?? []).map((l) => [l.line, l]));
            const whole = refusalOf(response.statusCode, text);
            for (let i = 0; i < count; i++) {
              const line = lines.get(i + 1);
              const ok = line?.status === 'accepted' || line?.status === 'duplicate';
              if (ok) {
                stored(first + i, line.seq);
                continue;
              }
              why(first + i, line?.code ?? whole);
              settle(first + i, false);
            }
          },
          (error: unknown) => {
            for (let i = 0; i < count; i++) {
              why(first + i, `no answer: ${(error as Error).message}`);
              settle(first + i, false);
            }
          },
        );
    }
  }

  const cpuPids = { riskstream: options.pid ?? null, nats: pidOf('nats-server', portOf(options.natsUrl, '4222')), redis: pidOf('redis-server', portOf(options.redisUrl, '6379')), bench: process.pid };
  const cpuNow = (): Record<string, number | null> => Object.fromEntries(Object.entries(cpuPids).map(([k, pid]) => [k, pid === null ? null : cpuSeconds(pid)]));
  const sampler = setInterval(() => {
    if (options.pid !== undefined) {
      const rss = residentMiB(options.pid);
      if (rss !== null) rssMax = Math.max(rssMax ?? 0, rss);
    }
    options.onProgress?.({ elapsedS: (performance.now() - started) / 1000, sent, decided, inFlight });
  }, 1000);

  // How the generator kept the measured window's schedule.
  let lateSends = 0;
  let maxSendLagMs = 0;
  let heldBackMs = 0;
  let lastMeasuredSendMs = 0;

  /**
   * Sends events first … first+count-1 on the schedule of a phase started at `phaseStart`, and
   * resolves once all are sent and the phase's `lengthMs` has passed (the load stays on for the
   * whole window even when its last event went at once), or when the run is interrupted.
   */
  function sendPhase(first: number, count: number, phaseStart: number, lengthMs: number, measured: boolean): Promise<void> {
    const end = first + count;
    let lastTick = performance.now();
    return new Promise<void>((resolve) => {
      function tick(): void {
        const now = performance.now();
        if (signal?.aborted) return resolve();
        const due = first + dueBy(now - phaseStart, options.rate, count);
        // Open loop: events are due on schedule; when the window is full they wait and their
        // latency, measured from the schedule, says so (and so does the generator's account).
        const room = Math.max(0, MAX_IN_FLIGHT - inFlight);
        const to = Math.min(due, sent + room);
        if (to < due) heldBackMs += now - lastTick;
        lastTick = now;
        if (to > sent) {
          if (measured) {
            for (let n = sent; n < to; n++) {
              const lag = now - scheduledOf(n);
              if (lag > SEND_LAG_LIMIT_MS) lateSends++;
              if (lag > maxSendLagMs) maxSendLagMs = lag;
            }
            lastMeasuredSendMs = now - phaseStart;
          } else {
            warmInFlight += to - sent;
          }
          send(sent, to, end);
          sent = to;
        }
        if (sent >= end && now - phaseStart >= lengthMs) return resolve();
        setTimeout(tick, sent >= end ? Math.max(1, lengthMs - (now - phaseStart)) : 1);
      }
      tick();
    });
  }

  /** Waits (up to limitMs, polling) until `done` says so or the run is interrupted; whether it did. */
  async function waitUntil(done: () => boolean, limitMs: number): Promise<boolean> {
    const deadline = performance.now() + limitMs;
    while (!done()) {
      if (signal?.aborted || performance.now() >= deadline) return false;
      await new Promise((r) => setTimeout(r, 50));
    }
    return true;
  }

  // The warm-up, then a pause until its events are decided: a backlog left by start-up would
  // otherwise be measured as the first seconds of the window (p99 778 ms where it was 199 ms).
  // Sending pauses meanwhile (and the report says for how long): load kept on would queue behind
  // that backlog and carry it into the window all the same.
  let warmupDrained = true;
  let warmupUndecidedAtWindow = 0;
  /** performance.now() when the warm-up's sending ended (its pause began); null without a warm-up. */
  let warmupSendingEnded: number | null = null;
  if (warm > 0) {
    await sendPhase(0, warm, started, (options.warmupS ?? 0) * 1000, false);
    envelopes?.flush();
    warmupSendingEnded = performance.now();
    const warmUndecided = (): number => warmInFlight + countWhere(ackState, decidedFlags, ACCEPTED, 0, 0, warm);
    warmupDrained = await waitUntil(() => warmUndecided() === 0, WARMUP_DRAIN_LIMIT_MS);
    warmupUndecidedAtWindow = warmUndecided();
  }

  // The measured window opens: CPU starts from here.
  const cpuStart = cpuNow();
  const threadsStart = options.threadCpu === false ? Promise.resolve(null) : threadCpuOf(options.baseUrl);
  measuredStart = performance.now();
  const warmupTimes = warmupFigures(started, warmupSendingEnded, measuredStart);
  options.onMeasuredWindow?.(Date.now());
  await sendPhase(warm, measuredCount, measuredStart, options.durationS * 1000, true);
  envelopes?.flush();
  const sendEnded = performance.now();
  const decidedWhileSending = decided;
  options.onSendingEnded?.();

  const graceEnd = performance.now() + options.graceS * 1000;
  const undecided = (): number => countWhere(ackState, decidedFlags, ACCEPTED, 0, 0, total);
  await waitUntil(() => inFlight === 0 && undecided() === 0, graceEnd - performance.now());
  clearInterval(sampler);
  const decidedInGrace = decided;
  const cpuMsPer1k = Object.fromEntries(
    Object.entries(cpuPids).map(([k, pid]) => {
      const before = cpuStart[k];
      const after = pid === null ? null : cpuSeconds(pid);
      return [k, before == null || after == null || decided === 0 ? null : Math.round(((after - before) * 1000 * 1000) / decided)];
    }),
  ) as BenchResult['cpuMsPer1k'];
  const threadsEnd = options.threadCpu === false ? null : await threadCpuOf(options.baseUrl);
  const threadsStartRead = await threadsStart;
  const cpuMsPer1kByThread = perThousandByThread(threadsStartRead, threadsEnd, decided);
  // Still due: acknowledged and not decided, and what waits for its acknowledgement.
  const due = (): number => undecided() + inFlight;
  if (due() > 0 && (options.drainS ?? 0) > 0 && !signal?.aborted) {
    await waitForLateDecisions(jsm, names, options.drainS! * 1000, () => ({ decided: decided - decidedInGrace, due: due() }), options.onDrain, signal);
  }
  decisions.unsubscribe();
  await pool?.close();
  publisher.close();
  await nc.drain();

  const windowMs = sendEnded - measuredStart;
  const sendSeconds = windowMs / 1000;
  const measuredSent = Math.max(0, sent - warm);
  const latency = latencyFigures(histogram.totalCount, (p) => histogram.getValueAtPercentile(p), histogram.maxValue);
  return {
    partial: signal?.aborted === true,
    via: options.via,
    envelope: options.via === 'nats' ? envelope : { maxRecords: 1, lingerMs: 0, scope: 'partition' },
    rate: options.rate,
    durationS: options.durationS,
    warmup: {
      seconds: options.warmupS ?? 0,
      sent: Math.min(sent, warm),
      // refused ones are not lost (never accepted), but must not pass for delivered either
      refused: countWhere(ackState, decidedFlags, REFUSED, 0, 0, warm) + countWhere(ackState, decidedFlags, REFUSED, 1, 0, warm),
      lost: countWhere(ackState, decidedFlags, ACCEPTED, 0, 0, warm),
      ...warmupTimes,
      drained: warmupDrained,
      undecidedAtWindow: warmupUndecidedAtWindow,
    },
    sent: measuredSent,
    accepted,
    refused,
    // Interrupted: no grace was given, so every decision seen counts as decided, none as late.
    decided: signal?.aborted ? decided : decidedInGrace,
    late: signal?.aborted ? 0 : decided - decidedInGrace,
    lost: countWhere(ackState, decidedFlags, ACCEPTED, 0, warm, total),
    refusedDecided: countWhere(ackState, decidedFlags, REFUSED, 1, warm, total),
    refusedWhy: Object.fromEntries(refusedWhy),
    achievedPerSecond: Math.round(decidedInGrace / Math.max(sendSeconds, 0.001)),
    throughputPerSecond: throughputPerSecond(decided, windowMs, lastDecisionAt === null ? null : lastDecisionAt - measuredStart),
    decidedWhileSending,
    decidedWhileSendingPerSecond: Math.round(decidedWhileSending / Math.max(sendSeconds, 0.001)),
    generator: generatorFigures({ sent: measuredSent, rate: options.rate, lastSendMs: lastMeasuredSendMs, lateSends, maxSendLagMs, heldBackMs }),
    ...latency,
    rssMaxMiB: rssMax,
    // none counted (answers without a stream sequence: an older riskstream at --url): unknown, not 0
    busMessages: busMessages.size > 0 ? busMessages.size : null,
    cpuMsPer1k,
    cpuMsPer1kByThread,
    cpuFromFewEvents: decided < CPU_MIN_EVENTS,
    threadCpuUnanswered: options.threadCpu !== false && decided > 0 && (threadsStartRead === null || threadsEnd === null),
  };
}

const THREAD_CPU_LINE = /^rs_thread_cpu_seconds_total\{thread="([^"]+)"\} ([\d.e+-]+)$/gm;

/** riskstream's CPU seconds by thread group so far, from its /metrics; null when it does not answer. */
async function threadCpuOf(baseUrl: string): Promise<ReadonlyMap<string, number> | null> {
  try {
    const response = await fetch(new URL('/metrics', baseUrl), { signal: AbortSignal.timeout(5000) });
    if (!response.ok) return null;
    const text = await response.text();
    const seconds = new Map<string, number>();
    for (const m of text.matchAll(THREAD_CPU_LINE)) seconds.set(m[1]!, Number(m[2]));
    return seconds.size === 0 ? null : seconds;
  } catch {
    return null;
  }
}

/** CPU ms per 1,000 decided events of each thread group between two readings, largest first. */
export function perThousandByThread(before: ReadonlyMap<string, number> | null, after: ReadonlyMap<string, number> | null, decided: number): Record<string, number> | null {
  if (before === null || after === null || decided === 0) return null;
  const rows = [...after].map(([thread, seconds]): [string, number] => [thread, Math.round(((seconds - (before.get(thread) ?? 0)) * 1e6) / decided)]);
  return Object.fromEntries(rows.sort((a, b) => b[1] - a[1]));
}

/**
 * Waits for decisions still due after the grace: while the processors' consumer holds a backlog,
 * and then until no decision arrived for QUIET_MS (the writer and the hub are not waited for;
 * decisions are published before their inputs are acknowledged). Gives up after limitMs.
 */
async function waitForLateDecisions(
  jsm: JetStreamManager,
  names: ReturnType<typeof namesOf>,
  limitMs: number,
  counts: () => { decided: number; due: number },
  onDrain: BenchOptions['onDrain'],
  signal: AbortSignal | undefined,
): Promise<void> {
  const QUIET_MS = 3000;
  const deadline = performance.now() + limitMs;
  let lastDecided = counts().decided;
  let lastChange = performance.now();
  while (performance.now() < deadline && !signal?.aborted) {
    const { decided, due } = counts();
    if (due <= 0) return;
    if (decided !== lastDecided) {
      lastDecided = decided;
      lastChange = performance.now();
    }
    let backlog: number | null = null;
    try {
      const info = await jsm.consumers.info(names.streams.events, names.consumers.processors);
      backlog = info.num_pending + info.num_ack_pending;
    } catch {
      // not this system's layout (or no processors yet): wait for quiet only
    }
    onDrain?.({ late: decided, due, backlog });
    if ((backlog === null || backlog === 0) && performance.now() - lastChange > QUIET_MS) return;
    await new Promise((r) => setTimeout(r, 1000));
  }
}

function portOf(url: string | undefined, fallback: string): string {
  try {
    return new URL(url ?? '').port || fallback;
  } catch {
    return fallback;
  }
}

/** The events-stream sequence in the gateway's answer to an accepted event, if it says. */
function seqOf(body: string): unknown {
  try {
    return (JSON.parse(body) as { seq?: unknown }).seq;
  } catch {
    return undefined;
  }
}

/** Why the gateway refused a request: the error code it answered, or the HTTP status. */
function refusalOf(status: number, body: string): string {
  try {
    const code = (JSON.parse(body) as { error?: { code?: unknown } }).error?.code;
    if (typeof code === 'string') return `${status} ${code}`;
  } catch {
    // not our JSON answer
  }
  return `HTTP ${status}`;
}
