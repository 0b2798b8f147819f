// `riskstream simulate`: the simulator as a command, onto the bus, to an ingest URL, or to a file.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';
import { connectBus, createMetrics, ensureStreams, httpUrlOf, names as namesOf, streamLimitsOf, validateEvent, type Config } from '../core/index.js';
import { backlogRefusal, retryAfterMs } from '../ingest/backlog-gate.js';
import { createEventPublisher } from '../ingest/publisher.js';
import { ingestKeyNeeded, nothingAnswersAt, refusedBatchHint } from './ingest-url.js';
import { BusPacer } from './bus-pacer.js';
import { commandLineMistake } from './cli-failure.js';
import { createSimulator, DEMO_OPENING_EVERY_MS, runSimulator, worldSizeFor } from '../ingest/simulator/index.js';


/** A mistake in how simulate was called, or a target it cannot use: printed without a stack. */
export class SimulateError extends Error {
  override readonly name = 'SimulateError';
}

export type SimulateOptions = {
  readonly rate: number;
  readonly seed: number;
  /** Customers of the simulated bank; default sized from the rate (worldSizeFor). */
  readonly customers?: number;
  readonly count?: number;
  readonly duration?: number;
  readonly out?: string;
  readonly url?: string;
  /** Event time of the first event, epoch ms; default now. With the seed it fixes the whole stream. */
  readonly start?: number;
  /** Open as the demo does: one scenario of every pattern within the first minute. */
  readonly opening?: boolean;
};

/**
 * Events made and written at a time to a file: small enough that the count of those written is
 * close to the truth when the reader of stdout goes away (`| head`), large enough to write fast.
 */
const FILE_BATCH = 100;

/** About what a simulated event takes on the bus (JSON, ≈ 0.5 KiB). */
const SIMULATED_EVENT_BYTES = 512;

/** send resolves false when stopped before the events could be sent. */
type Sink = { send(events: readonly unknown[]): Promise<boolean>; close(): Promise<void> };

export async function runSimulateCommand(config: Config, options: SimulateOptions): Promise<void> {
  if (options.rate < 1) throw commandLineMistake(new SimulateError('--rate must be at least 1 event per second (event time advances with the rate)'));
  if (options.customers !== undefined && options.customers < 100) throw commandLineMistake(new SimulateError('--customers must be at least 100'));
  const customers = options.customers ?? worldSizeFor(options.rate);
  const simulator = createSimulator({
    seed: options.seed,
    customers,
    ...(options.start === undefined ? {} : { startTs: options.start }),
    ...(options.opening ? { openingEveryMs: DEMO_OPENING_EVERY_MS } : {}),
  });
  const abort = new AbortController();
  // why the events stopped short of what was asked, when not by Ctrl-C or the limits
  let stoppedBecause = '';
  const sink = await openSink(config, options, abort.signal, (why) => {
    stoppedBecause = why;
    abort.abort();
  });
  // once the destination is open: a refused --url, a missing key or NATS down is then the only line
  process.stderr.write(`simulate: a bank of ${customers.toLocaleString('en-US')} customers (seed ${options.seed})\n`);
  const stop = (): void => abort.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  if (options.duration && !options.out) setTimeout(stop, options.duration * 1000).unref();
  let sent = 0;
  const limit = options.count ?? Number.POSITIVE_INFINITY;
  // Rewritten in place at a terminal; a line each time otherwise (a log, a pipe).
  const progress = setInterval(() => process.stderr.write(process.stderr.isTTY ? `\rsimulate: ${sent} events sent` : `simulate: ${sent} events sent\n`), 1000);
  try {
    if (options.out) {
      // A file needs no pacing: event time advances at the rate, the events are written as fast as
      // they are made; --duration is then seconds of event time.
      simulator.setRate(options.rate);
      const total = Math.min(limit, options.duration ? Math.round(options.rate * options.duration) : Number.POSITIVE_INFINITY);
      while (sent < total && !abort.signal.aborted) {
        const events = simulator.take(Math.min(FILE_BATCH, total - sent));
        if (await sink.send(events)) sent += events.length;
        // let Ctrl-C and the progress line in between batches
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    } else {
      await runSimulator(
        simulator,
        async (events) => {
          const room = Math.max(0, limit - sent);
          const slice = events.slice(0, room);
          if (await sink.send(slice)) sent += slice.length;
          if (sent >= limit) abort.abort();
        },
        { rate: options.rate, signal: abort.signal },
      );
    }
  } finally {
    clearInterval(progress);
    await sink.close();
    process.stderr.write(`${process.stderr.isTTY ? '\r' : ''}simulate: ${sent} events sent${stoppedBecause}\n`);
  }
}

async function openSink(config: Config, options: SimulateOptions, signal: AbortSignal, stopped: (why: string) => void): Promise<Sink> {
  if (options.out) return openFileSink(options.out, signal, stopped);
  if (options.url) {
    const url = httpUrlOf(options.url);
    if (url === undefined) throw commandLineMistake(new SimulateError(`--url ${options.url} is not an http(s) address such as http://127.0.0.1:8080`));
    const origin = url.origin;
    if (config.apiKeyGenerated) throw new SimulateError(ingestKeyNeeded(config.dataDir, 'send with --url'));
    const pool = new Pool(origin, { connections: 4 });
    return {
      async send(events) {
        if (events.length === 0) return true;
        const body = events.map((e) => JSON.stringify(e)).join('\n');
        for (let told = false; ; told = true) {
          let response: Awaited<ReturnType<Pool['request']>>;
          try {
            response = await pool.request({
              path: '/v1/events:batch',
              method: 'POST',
              headers: { 'content-type': 'application/x-ndjson', 'x-api-key': config.apiKey },
              body,
            });
          } catch (error) {
            throw new SimulateError(nothingAnswersAt(origin, error));
          }
          const text = await response.body.text();
          // The riskstream there is far behind: wait as it asks and send the same batch again.
          const refusal = backlogRefusal(response.statusCode, text);
          if (refusal !== null) {
            if (!told) process.stderr.write(`\nsimulate: ${options.url} refuses events for now (${refusal}); waiting\n`);
            // Stopped meanwhile (Ctrl-C, --duration): the batch is not sent.
            await sleep(retryAfterMs(response.headers['retry-after']), undefined, { signal }).catch(() => undefined);
            if (signal.aborted) return false;
            continue;
          }
          if (response.statusCode >= 400 && response.statusCode !== 207) {
            throw new SimulateError(`ingest refused the batch (${response.statusCode}): ${text.slice(0, 500)}${refusedBatchHint(response.statusCode)}`);
          }
          return true;
        }
      },
      close: () => pool.close(),
    };
  }
  const bus = await connectBus(config.natsUrl, namesOf(config.namespace), 'riskstream-simulate');
  await ensureStreams(bus, streamLimitsOf(config), 'keep');
  const publisher = createEventPublisher(bus, config.partitions, createMetrics());
  // Far faster than the readers, the simulator waits for them rather than have a full stream discard its events.
  const line = (text: string): void => void process.stderr.write(`\n${text}\n`);
  const pacer = new BusPacer(bus, 'simulate', 'the simulator', { report: line, progress: line });
  return {
    async send(events) {
      await pacer.admit(signal);
      if (signal.aborted) return false;
      const valid = events.map((raw) => {
        const result = validateEvent(raw);
        if (!result.ok) throw new Error(`the simulator made an invalid event: ${JSON.stringify(result.errors)}`);
        return result.event;
      });
      await publisher.publishMany(valid, 'simulator');
      // Bytes by estimate (a simulated event is ≈ 0.5 KiB): they only pace how often the pacer looks.
      pacer.sent(events.length * SIMULATED_EVENT_BYTES);
      return true;
    },
    close: async () => {
      pacer.close();
      await bus.nc.drain();
    },
  };
}

/**
 * NDJSON to a file or stdout. A batch counts as sent once it is written; when the reader of stdout
 * goes away (EPIPE: `simulate --out - | head`), the command stops there and says how many were.
 */
async function openFileSink(out: string, signal: AbortSignal, stopped: (why: string) => void): Promise<Sink> {
  const stream = out === '-' ? process.stdout : createWriteStream(out);
  let failure: NodeJS.ErrnoException | null = null;
  const onError = (error: NodeJS.ErrnoException): void => {
    failure ??= error;
  };
  stream.on('error', onError);
  if (stream !== process.stdout) {
    try {
      await once(stream, 'open');
    } catch (error) {
      throw new SimulateError(`cannot write ${out}: ${(error as Error).message}`);
    }
  }
  return {
    async send(events) {
      if (failure === null && !signal.aborted) {
        const text = events.map((e) => JSON.stringify(e)).join('\n') + '\n';
        // the callback comes once the batch is handed on, or with the error that stopped it
        await new Promise<void>((resolve) => stream.write(text, (error) => {
          if (error) onError(error);
          resolve();
        }));
      }
      if (failure === null) return true;
      if (failure.code === 'EPIPE' && stream === process.stdout) {
        stopped(' (stdout was closed by its reader: stopped there)');
        return false;
      }
      throw new SimulateError(`cannot write ${out === '-' ? 'stdout' : out}: ${failure.message}`);
    },
    async close() {
      if (stream !== process.stdout) await new Promise<void>((resolve) => stream.end(resolve));
      // stdout is never ended; an error after this point has nothing left to stop
      else stream.off('error', onError);
    },
  };
}
