import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { createMetrics } from './metrics.js';
import { ENGINE_GROUP, MAIN_GROUP, RUNTIME_GROUP, ThreadCpuTotals, createTidCell, currentThreadTid, groupOf, nameThread, publishThreadTid, sampleThreads, threadCpuReader } from './thread-cpu.js';

const onLinux = process.platform === 'linux';

describe('thread cpu - grouping', () => {
  const tids = new Map([
    [100, MAIN_GROUP],
    [101, 'processors'],
  ]);

  it.each([
    { sample: { tid: 100, name: 'node', cpuSeconds: 1 }, group: MAIN_GROUP },
    { sample: { tid: 101, name: 'node', cpuSeconds: 1 }, group: 'processors' },
    { sample: { tid: 102, name: 'node', cpuSeconds: 1 }, group: RUNTIME_GROUP },
    { sample: { tid: 103, name: 'MergeMutate', cpuSeconds: 1 }, group: ENGINE_GROUP },
  ])('thread $sample.tid named $sample.name counts towards $group', ({ sample, group }) => {
    expect(groupOf(sample, tids)).toBe(group);
  });

  it('adds what each thread used since it was last seen; an ended thread keeps what it used', () => {
    const totals = new ThreadCpuTotals();
    const names = new Map([[1, MAIN_GROUP]]);
    expect(
      Object.fromEntries(
        totals.add(
          [
            { tid: 1, name: 'node', cpuSeconds: 2 },
            { tid: 2, name: 'node', cpuSeconds: 1 },
            { tid: 3, name: 'ThreadPool', cpuSeconds: 0.5 },
          ],
          names,
        ),
      ),
    ).toEqual({ [MAIN_GROUP]: 2, [RUNTIME_GROUP]: 1, [ENGINE_GROUP]: 0.5 });
    // Thread 3 ended; thread 4 is new; thread 2 is now a named worker (it published its id late).
    const later = totals.add(
      [
        { tid: 1, name: 'node', cpuSeconds: 3 },
        { tid: 2, name: 'node', cpuSeconds: 1.5 },
        { tid: 4, name: 'ThreadPool', cpuSeconds: 0.25 },
      ],
      new Map([...names, [2, 'processors']]),
    );
    expect(Object.fromEntries(later)).toEqual({ [MAIN_GROUP]: 3, [RUNTIME_GROUP]: 1, processors: 0.5, [ENGINE_GROUP]: 0.75 });
  });

  it('a thread id used again by a new thread counts from zero', () => {
    const totals = new ThreadCpuTotals();
    totals.add([{ tid: 7, name: 'Fetch', cpuSeconds: 4 }], new Map());
    expect(totals.add([{ tid: 7, name: 'Fetch', cpuSeconds: 1 }], new Map()).get(ENGINE_GROUP)).toBe(5);
  });
});

describe.runIf(onLinux)('thread cpu - this process, from /proc', () => {
  it("knows the main thread's id (the process id) and samples every thread", () => {
    expect(currentThreadTid()).toBe(process.pid);
    const samples = sampleThreads();
    expect(samples.find((s) => s.tid === process.pid)?.cpuSeconds).toBeGreaterThan(0);
  });

  it("counts a named worker's CPU under its name, not the runtime's", { timeout: 30_000 }, async () => {
    const cell = createTidCell();
    const name = `busy_${process.hrtime.bigint()}`;
    nameThread(name, cell);
    const read = threadCpuReader();
    read();
    // The worker publishes its id as publishThreadTid does, then spins for 600 ms (process.cpuUsage
    // is the whole process's, so it spins on the clock).
    const worker = new Worker(
      `const { workerData } = require('node:worker_threads');
       const tid = Number(require('node:fs').readlinkSync('/proc/thread-self').split('/').pop());
       Atomics.store(workerData.cell, 0, tid);
       const until = Date.now() + 600;
       while (Date.now() < until) {}`,
      { eval: true, workerData: { cell } },
    );
    // Its CPU leaves /proc with it: sample often while it runs.
    const timer = setInterval(read, 20);
    await new Promise((resolve) => worker.once('exit', resolve));
    clearInterval(timer);
    expect(Atomics.load(cell, 0)).toBeGreaterThan(0);
    expect(Atomics.load(cell, 0)).not.toBe(process.pid);
    // On a loaded machine it gets less than the 600 ms; well above what a misattributed sample gives.
    expect(read().get(name)).toBeGreaterThanOrEqual(0.1);
  });

  it('publishThreadTid in the main thread writes the process id', () => {
    const cell = createTidCell();
    publishThreadTid(cell);
    expect(Atomics.load(cell, 0)).toBe(process.pid);
  });

  it('is served as rs_thread_cpu_seconds_total by thread', async () => {
    const text = await createMetrics().registry.metrics();
    expect(text).toMatch(/^rs_thread_cpu_seconds_total\{thread="main"\} \d+(\.\d+)?/m);
  });
});
