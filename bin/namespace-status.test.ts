// What doctor says about the namespace: pure findings from readings, and the readings themselves
// from the real NATS (a heartbeat published as a process would, a consumer with unread events).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureConsumer, names, type ProcessHealthWire } from '../core/index.js';
import { createHarness, payment, type Harness } from '../test/harness.js';
import { namespaceReport, readNamespaceStatus, type NamespaceStatus } from './namespace-status.js';

function beat(procId: string, roles: string[], extra: Partial<ProcessHealthWire> = {}): ProcessHealthWire {
  return {
    v: 1, procId, roles, host: 'vm', pid: 42, startedAt: 0, at: 0, cpuPercent: 12.4, rssBytes: 300 * 1024 ** 2, heapUsedBytes: 0, eventLoopDelayP99Ms: 1,
    counters: { eventsIn: 0, eventsRejected: 0, decisions: 0, alerts: 0, deadLettered: 0, rowsWritten: 0 },
    stages: {}, consumers: [], writerLagSeconds: {}, ...extra,
  };
}

const MiB = 1024 ** 2;
const base: NamespaceStatus = {
  namespace: 'rs',
  processes: [],
  streams: [{ name: 'RS_EVENTS', messages: 1000, bytes: 100 * MiB, maxBytes: 2048 * MiB }],
  consumers: [
    { stream: 'RS_EVENTS', name: 'processors', role: 'processors', unread: 0, unacknowledged: 0, redelivered: 0, ackWaitSeconds: 30 },
    { stream: 'RS_EVENTS', name: 'writer-events', role: 'writer', unread: 0, unacknowledged: 0, redelivered: 0, ackWaitSeconds: 60 },
  ],
};

describe('namespace report', () => {
  it('lists the processes and streams, and finds nothing wrong in a namespace that keeps up', () => {
    const report = namespaceReport({ ...base, processes: [beat('vm-1-a', ['ingest', 'processors', 'writer'])] });
    expect(report.lines).toEqual([
      '1 process of namespace "rs" running:',
      '  vm-1-a  ingest,processors,writer  pid 42 on vm  CPU 12 %  RSS 300 MiB',
      'streams of namespace "rs":',
      '  RS_EVENTS 5 % full (100 MiB of 2048 MiB); processors 0 unread · writer-events 0 unread',
    ]);
    expect(report.problems).toEqual([]);
  });

  it.each(['rs', 'tenant_long_name_01'])('lines up the streams of namespace %s, padded to the longest name shown', (namespace) => {
    const streams = Object.values(names(namespace).streams).map((name) => ({ name, messages: 0, bytes: 0, maxBytes: 2048 * MiB }));
    const lines = namespaceReport({ ...base, namespace, streams, consumers: [] }).lines.slice(2);
    const longest = Math.max(...streams.map((s) => s.name.length));
    // before, names were padded to 16: a namespace's name of more than 6 characters pushed its sizes apart
    expect(lines).toEqual(streams.map((s) => `  ${s.name.padEnd(longest)} 0 % full (0.0 MiB of 2048 MiB)`));
    expect(new Set(lines.map((line) => line.indexOf('0 % full'))).size).toBe(1);
  });

  it('lines up pid, CPU and RSS of processes whose ids and role lists differ in length', () => {
    const processes = [beat('vm-16007-d84c83', ['ingest', 'processors', 'writer', 'api', 'simulator']), beat('vm-7-b', ['ingest']), beat('vm-16177-d2b998', ['processors'])];
    const lines = namespaceReport({ ...base, processes }).lines.slice(1, 4);
    expect(lines).toEqual([
      '  vm-16007-d84c83  ingest,processors,writer,api,simulator  pid 42 on vm  CPU 12 %  RSS 300 MiB',
      '  vm-7-b           ingest                                  pid 42 on vm  CPU 12 %  RSS 300 MiB',
      '  vm-16177-d2b998  processors                              pid 42 on vm  CPU 12 %  RSS 300 MiB',
    ]);
    // before, each line's pid stood where its roles ended
    expect(new Set(lines.map((line) => line.indexOf('pid 42'))).size).toBe(1);
  });

  it("gives each process's CPU by thread, busiest first, when its heartbeat has it", () => {
    const report = namespaceReport({ ...base, processes: [beat('vm-1-a', ['ingest', 'processors', 'writer'], { cpuByThread: { main: 4.2, processors: 30.6, storage_engine: 12 } })] });
    expect(report.lines[1]).toBe('  vm-1-a  ingest,processors,writer  pid 42 on vm  CPU 12 % (processors 31 %, storage engine 12 %, main 4 %)  RSS 300 MiB');
  });

  it('says nothing is wrong with a stopped namespace that has nothing waiting', () => {
    const report = namespaceReport(base);
    expect(report.lines[0]).toBe('no process of namespace "rs" is running (none sent a heartbeat)');
    // before: the streams' lines followed, indented, as if they were the processes of that line
    expect(report.lines[1]).toBe('streams of namespace "rs":');
    expect(report.lines[2]).toMatch(/^ {2}RS_EVENTS 5 % full/);
    expect(report.problems).toEqual([]);
  });

  it('names events waiting for a role no running process has', () => {
    const status: NamespaceStatus = {
      ...base,
      processes: [beat('vm-1-a', ['ingest', 'simulator'])],
      consumers: [{ ...base.consumers[0]!, unread: 2035 }, base.consumers[1]!],
    };
    expect(namespaceReport(status).problems).toEqual([
      '2,035 messages of RS_EVENTS wait for processors and no process with the processors role is running: start one (riskstream start --roles processors)',
    ]);
  });

  it('names what a consumer was delivered and has not acknowledged (a killed process held it), with when it comes again', () => {
    // right after a SIGKILL: nothing unread, yet 120 events wait out the ack wait
    const status: NamespaceStatus = {
      ...base,
      consumers: [{ ...base.consumers[0]!, unacknowledged: 120 }, { ...base.consumers[1]!, unread: 5, unacknowledged: 1, redelivered: 1 }],
    };
    const report = namespaceReport(status);
    expect(report.lines.at(-1)).toBe(
      '  RS_EVENTS 5 % full (100 MiB of 2048 MiB); processors 0 unread, 120 delivered, not yet acknowledged: redelivered after the ack wait of 30 s · ' +
        'writer-events 5 unread, 1 delivered, not yet acknowledged: redelivered after the ack wait of 60 s (1 of them delivered more than once already)',
    );
    expect(report.problems).toEqual([
      '120 messages of RS_EVENTS wait for processors (0 unread, 120 delivered, not yet acknowledged: redelivered after the ack wait of 30 s) and no process with the processors role is running: start one (riskstream start --roles processors)',
      '6 messages of RS_EVENTS wait for writer-events (5 unread, 1 delivered, not yet acknowledged: redelivered after the ack wait of 60 s (1 of them delivered more than once already)) and no process with the writer role is running: start one (riskstream start --roles writer)',
    ]);
    // in work in a running process: said so, not as something waiting out the ack wait, and nothing wrong
    const running = namespaceReport({ ...status, processes: [beat('vm-1-a', ['ingest', 'processors', 'writer'])] });
    expect(running.lines.at(-1)).toBe(
      '  RS_EVENTS 5 % full (100 MiB of 2048 MiB); processors 0 unread, 120 in work (delivered, not yet acknowledged; ack wait 30 s) · ' +
        'writer-events 5 unread, 1 in work (delivered, not yet acknowledged; ack wait 60 s; 1 delivered more than once already)',
    );
    expect(running.problems).toEqual([]);
  });

  it('warns of a stream about to discard what a consumer has not read, of a gateway refusing events, and of storage refusing inserts', () => {
    const status: NamespaceStatus = {
      ...base,
      processes: [beat('vm-1-a', ['ingest', 'processors', 'writer'], { writerFailingSeconds: { events: 95, decisions: 10 }, ingestRefusing: true })],
      streams: [{ name: 'RS_EVENTS', messages: 1000, bytes: 1900 * MiB, maxBytes: 2048 * MiB }],
      consumers: [base.consumers[0]!, { ...base.consumers[1]!, unread: 700 }],
    };
    expect(namespaceReport(status).problems).toEqual([
      'RS_EVENTS is 93 % full and writer-events has not read 70 % of it: a full stream discards its oldest messages, read or not; find why it lags, or raise RISKSTREAM_STREAM_MAX_MB',
      'vm-1-a: its HTTP gateway refuses new events (503 RS_ERR_INGEST_BACKLOG) because the processors or the writer are more than half a stream behind; find why they lag (above), or start more processes of that role',
      "vm-1-a: every insert into events has failed for 95 s (its /healthz names ClickHouse's answer; disk full?)",
    ]);
  });
});

describe('namespace status - from NATS', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(async () => h?.cleanup());

  it('hears the running processes and reads what each consumer has not read', async () => {
    await ensureConsumer(h.bus, { stream: h.names.streams.events, durable: h.names.consumers.processors, filterSubject: h.names.subjects.eventsAll });
    for (const id of ['ns-1', 'ns-2', 'ns-3']) await h.bus.js.publish(h.names.eventSubject('payment', 0), JSON.stringify(payment(id)), { msgID: id });
    const timer = setInterval(() => h.bus.nc.publish(h.names.healthSubject('vm-7-b'), JSON.stringify(beat('vm-7-b', ['ingest']))), 100);
    try {
      const status = await readNamespaceStatus(h.bus, 600);
      expect(status.processes.map((p) => p.procId)).toEqual(['vm-7-b']);
      expect(status.streams.map((s) => s.name)).toEqual(Object.values(h.names.streams));
      expect(status.consumers).toEqual([{ stream: h.names.streams.events, name: h.names.consumers.processors, role: 'processors', unread: 3, unacknowledged: 0, redelivered: 0, ackWaitSeconds: 30 }]);
      expect(namespaceReport(status).problems).toEqual([
        `3 messages of ${h.names.streams.events} wait for processors and no process with the processors role is running: start one (riskstream start --roles processors)`,
      ]);
    } finally {
      clearInterval(timer);
    }
  });

  it('reads what a consumer was delivered and did not acknowledge, as a process killed holding it leaves it', async () => {
    const ackWaitMs = 2000;
    const consumer = await ensureConsumer(h.bus, { stream: h.names.streams.decisions, durable: h.names.consumers.writerDecisions, filterSubject: h.names.subjects.decisionsAll, ackWaitMs });
    for (const id of ['d-1', 'd-2', 'd-3']) await h.bus.js.publish(h.names.decisionSubject('payment'), JSON.stringify({ id }), { msgID: id });
    // fetched and never acknowledged, as by a process SIGKILLed with them
    for (let i = 0; i < 2; i++) expect(await consumer.next({ expires: 5000 })).not.toBeNull();
    const writer = (status: NamespaceStatus) => status.consumers.find((c) => c.name === h.names.consumers.writerDecisions);
    const status = await readNamespaceStatus(h.bus, 100);
    expect(writer(status)).toEqual({ stream: h.names.streams.decisions, name: h.names.consumers.writerDecisions, role: 'writer', unread: 1, unacknowledged: 2, redelivered: 0, ackWaitSeconds: 2 });
    const report = namespaceReport(status);
    expect(report.lines).toContainEqual(expect.stringMatching(/writer-decisions 1 unread, 2 delivered, not yet acknowledged: redelivered after the ack wait of 2 s$/));
    expect(report.problems).toContain(
      `3 messages of ${h.names.streams.decisions} wait for ${h.names.consumers.writerDecisions} (1 unread, 2 delivered, not yet acknowledged: redelivered after the ack wait of 2 s) and no process with the writer role is running: start one (riskstream start --roles writer)`,
    );
    // the last one too, then one of the first two again after the ack wait (never acknowledged):
    // nothing unread — what doctor said alone before — yet three wait, one delivered twice already
    const fetched: boolean[] = [];
    for (let m = await consumer.next({ expires: 5000 }); m !== null && fetched.length < 4; m = await consumer.next({ expires: ackWaitMs + 10_000 })) {
      fetched.push(m.redelivered);
      if (m.redelivered) break;
    }
    expect(fetched).toEqual([false, true]);
    const after = writer(await readNamespaceStatus(h.bus, 100));
    expect(after).toMatchObject({ unread: 0, unacknowledged: 3 });
    expect(after!.redelivered).toBeGreaterThanOrEqual(1);
  });
});
