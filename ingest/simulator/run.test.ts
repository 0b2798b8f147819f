import { describe, expect, it } from 'vitest';
import type { WireEvent } from '../../core/contracts/index.js';
import { createSimulator, runSimulator } from './index.js';

const START = Date.parse('2026-11-29T08:00:00.000Z');
const small = () => createSimulator({ seed: 1, startTs: START, customers: 2_000, merchants: 200 });
const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('runSimulator - pacing', () => {
  it('publishes about `rate` events per second and stops on abort', async () => {
    const sim = small();
    const abort = new AbortController();
    let published = 0;
    const run = runSimulator(sim, async (events) => void (published += events.length), { rate: 200, signal: abort.signal });
    await wait(1000);
    abort.abort();
    const stoppedAt = Date.now();
    await run;
    expect(Date.now() - stoppedAt).toBeLessThan(500);
    // Generous bounds: the machine may be busy.
    expect(published).toBeGreaterThan(80);
    expect(published).toBeLessThan(320);
    const after = published;
    await wait(100);
    expect(published).toBe(after);
  });

  it('sets the simulator clock to the pacing rate so event time follows the wall clock', async () => {
    const sim = small();
    const abort = new AbortController();
    const seen: WireEvent[] = [];
    const run = runSimulator(sim, async (events) => void seen.push(...events), { rate: 100, signal: abort.signal });
    await wait(300);
    abort.abort();
    await run;
    expect(sim.rate).toBe(100);
    const live = seen.map((e) => Date.parse(e.ts)).filter((ts) => ts >= START);
    expect(Math.max(...live) - START).toBeLessThanOrEqual(seen.length * 10 + 1);
  });

  it('does not queue up when publish is slow: one batch in flight, bounded by batch size', async () => {
    const sim = small();
    const abort = new AbortController();
    let inFlight = 0;
    let maxInFlight = 0;
    let published = 0;
    let batches = 0;
    const run = runSimulator(
      sim,
      async (events) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        batches++;
        await wait(100);
        published += events.length;
        inFlight--;
      },
      { rate: 100_000, batchSize: 50, signal: abort.signal },
    );
    const started = Date.now();
    await wait(500);
    abort.abort();
    const ranMs = Date.now() - started;
    await run;
    expect(maxInFlight).toBe(1);
    expect(published).toBeLessThanOrEqual(batches * 50);
    // One 100 ms publish after another: no more batches than the time it ran allows (measured, as a
    // loaded host may run the 500 ms timer late), where a queue would have started hundreds.
    expect(batches).toBeLessThanOrEqual(Math.ceil(ranMs / 100) + 2);
  });

  it('reports progress and refuses a rate that is not positive', async () => {
    const sim = small();
    const abort = new AbortController();
    const reports: number[] = [];
    const run = runSimulator(sim, async () => undefined, { rate: 500, signal: abort.signal, onProgress: (p) => reports.push(p.emitted) });
    await wait(1300);
    abort.abort();
    await run;
    expect(reports.length).toBeGreaterThanOrEqual(2);
    await expect(runSimulator(sim, async () => undefined, { rate: 0, signal: abort.signal })).rejects.toThrow(/rate/);
  });

  it('returns at once when the signal is already aborted', async () => {
    let calls = 0;
    await runSimulator(small(), async () => void calls++, { rate: 1000, signal: AbortSignal.abort() });
    expect(calls).toBe(0);
  });
});

describe('runSimulator - when publishing fails', () => {
  it('stops at the first failure without retry', async () => {
    const abort = new AbortController();
    await expect(
      runSimulator(small(), async () => Promise.reject(new Error('bus down')), { rate: 200, signal: abort.signal }),
    ).rejects.toThrow(/bus down/);
  });

  it('with retry, publishes the failed batch again after a back-off: the same events, none skipped or repeated', async () => {
    const abort = new AbortController();
    const published: WireEvent[] = [];
    const errors: number[] = [];
    let failuresLeft = 3;
    const run = runSimulator(
      small(),
      async (events) => {
        if (failuresLeft-- > 0) throw new Error('bus down');
        published.push(...events);
        if (published.length >= 60) abort.abort();
      },
      { rate: 500, signal: abort.signal, retry: { backoff: { initialMs: 20, maxMs: 40 }, onError: (_e, retryInMs) => errors.push(retryInMs) } },
    );
    await run;
    expect(errors).toHaveLength(3);
    // growing, capped, with ±20 % jitter
    expect(errors[0]).toBeLessThanOrEqual(24);
    expect(errors[2]).toBeGreaterThanOrEqual(32);
    // The stream is the seed's stream from its first event: the failed batch was not dropped.
    const reference = small();
    reference.setRate(500);
    const expected = reference.take(published.length);
    expect(published.map((e) => e.id)).toEqual(expected.map((e) => e.id));
  });

  it('with retry, stops waiting when aborted during the back-off', async () => {
    const abort = new AbortController();
    let attempts = 0;
    const run = runSimulator(
      small(),
      async () => {
        attempts++;
        throw new Error('bus down');
      },
      { rate: 200, signal: abort.signal, retry: { backoff: { initialMs: 60_000, maxMs: 60_000 }, onError: () => abort.abort() } },
    );
    await run;
    expect(attempts).toBe(1);
  });
});
