// What `riskstream doctor` says about the namespace itself, beyond the services: which processes
// run (their heartbeats), how full each stream is and how much of it each consumer has not read or
// has been delivered without acknowledging (held by a process that was killed, say), and what is wrong — events waiting with no process of the role that reads them, a stream about
// to discard unread messages, a gateway refusing events for that reason, storage refusing inserts.
import { countOf, AT_RISK_FILL, AT_RISK_UNREAD, HEALTH_INTERVAL_MS, type Bus, type Names, type ProcessHealthWire } from '../core/index.js';
import { WRITER_FAILING_AFTER_MS } from '../storage/index.js';

export type StreamState = { readonly name: string; readonly messages: number; readonly bytes: number; readonly maxBytes: number };
export type ConsumerState = {
  readonly stream: string;
  readonly name: string;
  readonly role: 'processors' | 'writer';
  /** Not delivered yet (JetStream's num_pending). */
  readonly unread: number;
  /**
   * Delivered and not acknowledged (num_ack_pending): in work, or held by a process that stopped
   * without acknowledging (a SIGKILL), and then delivered again once the ack wait has passed.
   */
  readonly unacknowledged: number;
  /** Of those, delivered more than once already (num_redelivered). */
  readonly redelivered: number;
  /** The consumer's ack wait: how long a delivery waits for its acknowledgement before it is delivered again. */
  readonly ackWaitSeconds: number;
};
export type NamespaceStatus = {
  readonly namespace: string;
  readonly processes: readonly ProcessHealthWire[];
  readonly streams: readonly StreamState[];
  readonly consumers: readonly ConsumerState[];
};

/** Listens for heartbeats (a little over one interval) and reads the streams and consumers. */
export async function readNamespaceStatus(bus: Bus, listenMs = HEALTH_INTERVAL_MS + 500): Promise<NamespaceStatus> {
  const names = bus.names;
  const heard = new Map<string, ProcessHealthWire>();
  const subscription = bus.nc.subscribe(names.subjects.healthAll, {
    callback: (error, message) => {
      if (error) return;
      try {
        const wire = message.json<ProcessHealthWire>();
        if (typeof wire?.procId === 'string') heard.set(wire.procId, wire);
      } catch {
        // not a heartbeat of ours: ignored
      }
    },
  });
  const [streams, consumers] = await Promise.all([streamStates(bus, names), consumerStates(bus, names), new Promise((r) => setTimeout(r, listenMs))]);
  subscription.unsubscribe();
  return { namespace: names.namespace, processes: [...heard.values()].sort((a, b) => a.procId.localeCompare(b.procId)), streams, consumers };
}

async function streamStates(bus: Bus, names: Names): Promise<StreamState[]> {
  const out: StreamState[] = [];
  for (const name of Object.values(names.streams)) {
    const info = await bus.jsm.streams.info(name).catch(() => null);
    if (info) out.push({ name, messages: info.state.messages, bytes: info.state.bytes, maxBytes: info.config.max_bytes });
  }
  return out;
}

/** JetStream's ack wait for a consumer created without one (the server always names it; this only keeps the type whole). */
const DEFAULT_ACK_WAIT_NS = 30e9;

async function consumerStates(bus: Bus, names: Names): Promise<ConsumerState[]> {
  const { streams, consumers } = names;
  const wanted: Array<[string, string, ConsumerState['role']]> = [
    [streams.events, consumers.processors, 'processors'],
    [streams.events, consumers.writerEvents, 'writer'],
    [streams.decisions, consumers.writerDecisions, 'writer'],
    [streams.alerts, consumers.writerAlerts, 'writer'],
    [streams.dlq, consumers.writerDlq, 'writer'],
  ];
  const out: ConsumerState[] = [];
  for (const [stream, name, role] of wanted) {
    const info = await bus.jsm.consumers.info(stream, name).catch(() => null);
    if (info) {
      out.push({ stream, name, role, unread: info.num_pending, unacknowledged: info.num_ack_pending, redelivered: info.num_redelivered, ackWaitSeconds: Math.round((info.config.ack_wait ?? DEFAULT_ACK_WAIT_NS) / 1e9) });
    }
  }
  return out;
}

/** ` (processors 30 %, storage engine 12 %, …)`: the heartbeat's CPU by thread, busiest first; '' without it. */
function threadShares(p: ProcessHealthWire): string {
  const shares = Object.entries(p.cpuByThread ?? {})
    .filter(([, percent]) => Number.isFinite(percent) && percent >= 0)
    .sort((a, b) => b[1] - a[1])
    .map(([thread, percent]) => `${thread.replaceAll('_', ' ')} ${Math.round(percent)} %`);
  return shares.length === 0 ? '' : ` (${shares.join(', ')})`;
}

export type NamespaceReport = { readonly lines: readonly string[]; readonly problems: readonly string[] };

/** The report's lines and the problems in it (each says what to do). Pure, for tests. */
export function namespaceReport(status: NamespaceStatus): NamespaceReport {
  const lines: string[] = [];
  const problems: string[] = [];
  const { processes } = status;
  lines.push(
    processes.length === 0
      ? `no process of namespace "${status.namespace}" is running (none sent a heartbeat)`
      : `${countOf(processes.length, 'process', 'processes')} of namespace "${status.namespace}" running:`,
  );
  // Ids and role lists padded to the longest shown, so that pid, CPU and RSS line up when one
  // process runs every role and another only ingest.
  const idWidth = Math.max(0, ...processes.map((p) => p.procId.length));
  const rolesWidth = Math.max(0, ...processes.map((p) => p.roles.join(',').length));
  for (const p of processes) {
    lines.push(
      `  ${p.procId.padEnd(idWidth)}  ${p.roles.join(',').padEnd(rolesWidth)}  pid ${p.pid} on ${p.host}  CPU ${Math.round(p.cpuPercent)} %${threadShares(p)}  RSS ${Math.round(p.rssBytes / 1024 ** 2)} MiB`,
    );
  }
  const running = (role: string) => processes.some((p) => p.roles.includes(role));
  // a heading of their own: under 'no process … is running' alone, the streams read as its processes
  if (status.streams.length > 0) lines.push(`streams of namespace "${status.namespace}":`);
  // Padded to the longest name shown, not to a fixed width: names carry the namespace
  // (TENANT_LONG_NAME_01_DECISIONS), and a fixed 16 pushed the sizes of longer ones apart.
  const nameWidth = Math.max(0, ...status.streams.map((stream) => stream.name.length));
  for (const stream of status.streams) {
    const readers = status.consumers.filter((c) => c.stream === stream.name);
    const fill = stream.maxBytes > 0 ? stream.bytes / stream.maxBytes : null;
    const size = fill === null ? `${mib(stream.bytes)}` : `${Math.round(fill * 100)} % full (${mib(stream.bytes)} of ${mib(stream.maxBytes)})`;
    const unread = readers
      .map((c) => `${c.name} ${c.unread.toLocaleString('en-US')} unread${c.unacknowledged > 0 ? `, ${running(c.role) ? inWorkText(c) : heldText(c)}` : ''}`)
      .join(' · ');
    lines.push(`  ${stream.name.padEnd(nameWidth)} ${size}${unread ? `; ${unread}` : ''}`);
    for (const c of readers) {
      const waiting = c.unread + c.unacknowledged;
      if (waiting > 0 && !running(c.role)) {
        const held = c.unacknowledged > 0 ? ` (${c.unread.toLocaleString('en-US')} unread, ${heldText(c)})` : '';
        problems.push(`${countOf(waiting, 'message')} of ${stream.name} ${waiting === 1 ? 'waits' : 'wait'} for ${c.name}${held} and no process with the ${c.role} role is running: start one (riskstream start --roles ${c.role})`);
      }
      if (fill !== null && fill >= AT_RISK_FILL && stream.messages > 0 && c.unread / stream.messages >= AT_RISK_UNREAD) {
        problems.push(
          `${stream.name} is ${Math.round(fill * 100)} % full and ${c.name} has not read ${Math.round((c.unread / stream.messages) * 100)} % of it: ` +
            'a full stream discards its oldest messages, read or not; find why it lags, or raise RISKSTREAM_STREAM_MAX_MB',
        );
      }
    }
  }
  for (const p of processes) {
    if (p.ingestRefusing) {
      problems.push(
        `${p.procId}: its HTTP gateway refuses new events (503 RS_ERR_INGEST_BACKLOG) because the processors or the writer are more than half a stream behind; ` +
          'find why they lag (above), or start more processes of that role',
      );
    }
    for (const [table, seconds] of Object.entries(p.writerFailingSeconds ?? {})) {
      if (seconds * 1000 >= WRITER_FAILING_AFTER_MS) {
        problems.push(`${p.procId}: every insert into ${table} has failed for ${Math.round(seconds)} s (its /healthz names ClickHouse's answer; disk full?)`);
      }
    }
  }
  return { lines, problems };
}

/**
 * A consumer's delivered, unacknowledged messages, for an operator: after a SIGKILL they are not
 * unread (JetStream delivered them), yet nothing has them done; they come again after the ack wait.
 */
function heldText(c: ConsumerState): string {
  const again = c.redelivered > 0 ? ` (${c.redelivered.toLocaleString('en-US')} of them delivered more than once already)` : '';
  return `${c.unacknowledged.toLocaleString('en-US')} delivered, not yet acknowledged: redelivered after the ack wait of ${c.ackWaitSeconds} s${again}`;
}

/**
 * The same, while a process of the consumer's role runs: a batch in work is the usual case there
 * (the writer holds its inserts' messages until ClickHouse took them), not something that waits
 * out the ack wait, which the text for a stopped role would make it sound like.
 */
function inWorkText(c: ConsumerState): string {
  const again = c.redelivered > 0 ? `; ${c.redelivered.toLocaleString('en-US')} delivered more than once already` : '';
  return `${c.unacknowledged.toLocaleString('en-US')} in work (delivered, not yet acknowledged; ack wait ${c.ackWaitSeconds} s${again})`;
}

function mib(bytes: number): string {
  return `${(bytes / 1024 ** 2).toFixed(bytes < 10 * 1024 ** 2 ? 1 : 0)} MiB`;
}
