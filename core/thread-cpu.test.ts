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
    // [0]: the worker has spun; [1]: the parent has sampled since, so the worker may exit.
    const control = new Int32Array(new SharedArrayBuffer(8));
    // The worker publishes its id as publishThreadTid does, then spins until it has used 400 ms more
    // CPU by its own clock (/proc/thread-self/stat: utime + stime, in 10 ms ticks). Spinning on the
    // wall clock gave it too little CPU to tell on a loaded host, where it shares the cores.
    const worker = new Worker(
      `const { workerData } = require('node:worker_threads');
       const { readFileSync, readlinkSync } = require('node:fs');
       const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
       Atomics.store(workerData.cell, 0, tid);
       const cpuTicks = () => {
         const stat = readFileSync('/proc/thread-self/stat', 'utf8');
         const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
         return Number(fields[11]) + Number(fields[12]);
       };
       const from = cpuTicks();
       while (cpuTicks() - from < 40) {}
       Atomics.store(workerData.control, 0, 1);
       Atomics.wait(workerData.control, 1, 0);`,
      { eval: true, workerData: { cell, control } },
    );
    // Its CPU leaves /proc with it: sample while it runs, and once more after it has spun.
    const timer = setInterval(() => {
      const spun = Atomics.load(control, 0) === 1;
      read();
      if (spun) {
        Atomics.store(control, 1, 1);
        Atomics.notify(control, 1);
      }
    }, 20);
    await new Promise((resolve) => worker.once('exit', resolve));
    clearInterval(timer);
    expect(Atomics.load(cell, 0)).toBeGreaterThan(0);
    expect(Atomics.load(cell, 0)).not.toBe(process.pid);
    // all it spun, however loaded the machine (less float rounding); a misattributed sample gives nothing
    expect(read().get(name)).toBeGreaterThanOrEqual(0.39);
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
