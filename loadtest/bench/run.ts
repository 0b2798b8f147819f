// The benchmark harness: drives a running riskstream at a fixed arrival rate (open loop), via
// JetStream or HTTP, and measures ingest-to-decision latency from each event's scheduled send
// time to the moment its decision is seen on the bus (so a stalled system cannot hide its delay).
import { connect, type NatsConnection } from '@nats-io/transport-node';

import { build as buildHistogram } from 'hdr-histogram-js';
import { Pool } from 'undici';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { EnvelopePublisher, JetStreamPublisher, messageHeaders, names as namesOf, natsServersOf, partitionOf } from '../../core/index.js';
import { benchAccountsFor, createBenchPayments } from './payments.js';
import { cpuSeconds, pidOf, residentMiB } from './machine.js';

export const VIAS = ['nats', 'http', 'http-batch'] as const;
export type Via = (typeof VIAS)[number];

export type BenchOptions = {
  readonly rate: number;
  readonly durationS: number;
  /**
   * Seconds of sending at the same rate before the measured window, not counted in its figures
   * (default 0): a freshly started riskstream compiles its hot code and meets every account for
   * the first time then. The measured window follows without a pause; warm-up events are still
   * watched for, and any never decided is reported as lost in the warm-up.
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
};

/**
 * How the load generator groups events via NATS: at most maxRecords per envelope (1 = one message
 * per event), waiting up to lingerMs; `scope` kind puts events of every partition in one envelope
 * (on the mixed subject), partition one envelope per partition subject.
 */
export type EnvelopeSettings = { readonly maxRecords: number; readonly lingerMs: number; readonly scope: 'kind' | 'partition' };

export type BenchProgress = { readonly elapsedS: number; readonly sent: number; readonly decided: number; readonly inFlight: number };

export type BenchResult = {
  readonly via: Via;
  /** Via NATS: events per envelope at most and the linger (ms); 1 and 0 without envelopes. */
  readonly envelope: EnvelopeSettings;
  readonly rate: number;
  readonly durationS: number;
  /** The warm-up before the measured window: its seconds, events sent, and events never decided. */
  readonly warmup: { readonly seconds: number; readonly sent: number; readonly lost: number };
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
  /** Decided by the end of the grace, per second of sending (above the sustained rate when a backlog builds). */
  readonly achievedPerSecond: number;
  /** Decided before sending stopped: what the system kept up with while the load was on. */
  readonly decidedWhileSending: number;
  /** The same per second of sending. */
  readonly decidedWhileSendingPerSecond: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly rssMaxMiB: number | null;
  /**
   * Messages the events stream stored during the run (null when unknown): with envelopes, from
   * the load generator or grouped by the HTTP gateway, fewer than the events.
   */
  readonly busMessages: number | null;
  /** CPU milliseconds per 1,000 decided events, per process on this machine (null when unknown). */
  readonly cpuMsPer1k: { readonly riskstream: number | null; readonly nats: number | null; readonly redis: number | null; readonly bench: number | null };
  /**
   * riskstream's CPU ms per 1,000 decided events by thread group (its rs_thread_cpu_seconds_total:
   * main, processors, writer_mapping, storage_engine, runtime); null when its /metrics did not say.
   */
  readonly cpuMsPer1kByThread: Readonly<Record<string, number>> | null;
};

const MAX_IN_FLIGHT = 20_000;
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
  const nc: NatsConnection = await connect({ ...natsServersOf(options.natsUrl), name: 'riskstream-bench' });
  // Events 0 … warm-1 are the warm-up, warm … total-1 the measured window: one schedule for both.
  const warm = Math.round(options.rate * (options.warmupS ?? 0));
  const total = warm + Math.ceil(options.rate * options.durationS);
  const runId = `b${Date.now().toString(36)}`;
  const prefix = `${runId}-`;
  const scheduled = new Float64Array(total);
  const decidedFlags = new Uint8Array(total);
  /** Per event: 0 in flight, ACCEPTED or REFUSED. */
  const ackState = new Uint8Array(total);
  const histogram = buildHistogram({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3 });
  let decided = 0;
  let accepted = 0;
  let refused = 0;
  let sent = 0;
  let inFlight = 0;
  let rssMax: number | null = null;
  const refusedWhy = new Map<string, number>();
  /** Counts a refusal of the measured window by why. */
  const why = (n: number, reason: string): void => {
    if (n >= warm) refusedWhy.set(reason, (refusedWhy.get(reason) ?? 0) + 1);
  };

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
        histogram.recordValue(Math.max(1, Math.round((seen - scheduled[n]!) * 1000)));
      }
    },
  });
  await nc.flush();

  // Made once, before the load: making one later asks the server for the account first, and after
  // a saturating run that request can wait behind the whole backlog of decisions this connection
  // still has to read, and time out (it ended a 60 s suite run once).
  const jsm = await jetstreamManager(nc);
  const lastSeq = async (): Promise<number | null> => {
    try {
      return (await jsm.streams.info(names.streams.events)).state.last_seq;
    } catch {
      return null;
    }
  };
  const seqBefore = await lastSeq();

  const payments = createBenchPayments(options.seed, { accounts: benchAccountsFor(total), alertShare: options.alertShare ?? 0, accountPrefix: prefix });
  const publisher = new JetStreamPublisher(nc, 10_000);
  const envelope: EnvelopeSettings = options.envelope ?? { maxRecords: 1, lingerMs: 0, scope: 'partition' };
  const mixedSubject = names.mixedEventSubject('payment');
  const envelopes = envelope.maxRecords > 1 ? new EnvelopePublisher(publisher, { ...envelope, idPrefix: runId }) : undefined;
  const settle = (n: number, ok: boolean): void => {
    ackState[n] = ok ? ACCEPTED : REFUSED;
    onAck(ok, n);
  };
  const pool = options.via === 'nats' ? undefined : new Pool(options.baseUrl, { connections: options.httpConnections, pipelining: 1 });
  const send = options.via === 'nats' ? sendNats : options.via === 'http' ? sendHttp : sendHttpBatch;

  /** Event n acknowledged (ok) or refused; warm-up events count only towards what is in flight. */
  function onAck(ok: boolean, n: number): void {
    inFlight--;
    if (n < warm) return;
    if (ok) accepted++;
    else refused++;
  }

  function sendNats(from: number, to: number): void {
    for (let n = from; n < to; n++) {
      const event = payments.next(`${prefix}${n}`, Date.now());
      const account = (event.debtor as { accountId: string }).accountId;
      const subject = envelopes && envelope.scope === 'kind' ? mixedSubject : names.eventSubject('payment', partitionOf(account, options.partitions));
      inFlight++;
      const stored = envelopes
        ? envelopes.add(subject, JSON.stringify(event))
        : publisher.publish(subject, JSON.stringify(event), event.id as string, messageHeaders(Date.now()));
      stored.then(
        () => settle(n, true),
        (error: unknown) => {
          why(n, `publish failed: ${(error as Error).message}`);
          settle(n, false);
        },
      );
    }
  }

  function sendHttp(from: number, to: number): void {
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
              await response.body.dump();
              settle(n, true);
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
  function sendHttpBatch(_from: number, to: number): void {
    // Batches fill up to batchSize; the last partial batch goes when sending ends.
    while (to - batchStart >= options.batchSize || (to === total && batchStart < to)) {
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
            let body: { results?: Array<{ line: number; status: string; code?: string }> } = {};
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
              if (!ok) why(first + i, line?.code ?? whole);
              settle(first + i, ok);
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
  let cpuStart = cpuNow();
  let threadsStart: Promise<ReadonlyMap<string, number> | null> = Promise.resolve(null);
  const started = performance.now();
  /** When the measured window starts: the schedule's time of event `warm`. */
  const measuredFrom = started + (warm / options.rate) * 1000;
  options.onMeasuredWindow?.(Date.now() + (measuredFrom - started));
  let seqAtMeasure: Promise<number | null> = warm === 0 ? Promise.resolve(seqBefore) : Promise.resolve(null);
  let measuring = warm === 0;
  const sampler = setInterval(() => {
    if (options.pid !== undefined) {
      const rss = residentMiB(options.pid);
      if (rss !== null) rssMax = Math.max(rssMax ?? 0, rss);
    }
    options.onProgress?.({ elapsedS: (performance.now() - started) / 1000, sent, decided, inFlight });
  }, 1000);

  await new Promise<void>((resolve) => {
    function tick(): void {
      const elapsed = performance.now() - started;
      const due = Math.min(total, Math.floor((elapsed / 1000) * options.rate));
      // Open loop: events are due on schedule; when the window is full they wait and their
      // latency, measured from the schedule, says so.
      const room = Math.max(0, MAX_IN_FLIGHT - inFlight);
      const to = Math.min(due, sent + room);
      if (!measuring && due >= warm) {
        // The measured window opens: CPU and the stream's count start from here.
        measuring = true;
        cpuStart = cpuNow();
        threadsStart = threadCpuOf(options.baseUrl);
        seqAtMeasure = lastSeq();
      }
      if (to > sent) {
        for (let n = sent; n < to; n++) scheduled[n] = started + (n / options.rate) * 1000;
        send(sent, to);
        sent = to;
      }
      if (sent >= total) resolve();
      else setTimeout(tick, 1);
    }
    tick();
  });
  envelopes?.flush();
  const sendEnded = performance.now();
  const decidedWhileSending = decided;

  const graceEnd = performance.now() + options.graceS * 1000;
  const undecided = (): number => countWhere(ackState, decidedFlags, ACCEPTED, 0, 0, total);
  while ((inFlight > 0 || undecided() > 0) && performance.now() < graceEnd) {
    await new Promise((r) => setTimeout(r, 50));
  }
  clearInterval(sampler);
  const decidedInGrace = decided;
  const seqAfter = await lastSeq();
  const seqFrom = await seqAtMeasure;
  const cpuMsPer1k = Object.fromEntries(
    Object.entries(cpuPids).map(([k, pid]) => {
      const before = cpuStart[k];
      const after = pid === null ? null : cpuSeconds(pid);
      return [k, before == null || after == null || decided === 0 ? null : Math.round(((after - before) * 1000 * 1000) / decided)];
    }),
  ) as BenchResult['cpuMsPer1k'];
  const cpuMsPer1kByThread = perThousandByThread(await threadsStart, await threadCpuOf(options.baseUrl), decided);
  // Still due: acknowledged and not decided, and what waits for its acknowledgement.
  const due = (): number => undecided() + inFlight;
  if (due() > 0 && (options.drainS ?? 0) > 0) {
    await waitForLateDecisions(jsm, names, options.drainS! * 1000, () => ({ decided: decided - decidedInGrace, due: due() }), options.onDrain);
  }
  decisions.unsubscribe();
  await pool?.close();
  publisher.close();
  await nc.drain();

  const sendSeconds = (sendEnded - measuredFrom) / 1000;
  const ms = (p: number): number => Math.round(histogram.getValueAtPercentile(p) / 10) / 100;
  return {
    via: options.via,
    envelope: options.via === 'nats' ? envelope : { maxRecords: 1, lingerMs: 0, scope: 'partition' },
    rate: options.rate,
    durationS: options.durationS,
    warmup: { seconds: options.warmupS ?? 0, sent: Math.min(sent, warm), lost: countWhere(ackState, decidedFlags, ACCEPTED, 0, 0, warm) },
    sent: Math.max(0, sent - warm),
    accepted,
    refused,
    decided: decidedInGrace,
    late: decided - decidedInGrace,
    lost: countWhere(ackState, decidedFlags, ACCEPTED, 0, warm, total),
    refusedDecided: countWhere(ackState, decidedFlags, REFUSED, 1, warm, total),
    refusedWhy: Object.fromEntries(refusedWhy),
    achievedPerSecond: Math.round(decidedInGrace / Math.max(sendSeconds, 0.001)),
    decidedWhileSending,
    decidedWhileSendingPerSecond: Math.round(decidedWhileSending / Math.max(sendSeconds, 0.001)),
    p50Ms: ms(50),
    p95Ms: ms(95),
    p99Ms: ms(99),
    maxMs: Math.round(histogram.maxValue / 10) / 100,
    rssMaxMiB: rssMax,
    busMessages: seqFrom === null || seqAfter === null ? null : seqAfter - seqFrom,
    cpuMsPer1k,
    cpuMsPer1kByThread,
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
): Promise<void> {
  const QUIET_MS = 3000;
  const deadline = performance.now() + limitMs;
  let lastDecided = counts().decided;
  let lastChange = performance.now();
  while (performance.now() < deadline) {
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
