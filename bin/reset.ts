// `riskstream reset`: deletes everything one namespace keeps — its JetStream streams and KV buckets
// (events, decisions, alerts, dead letters, users, cases, lists, config), its Redis keys (feature
// state, markers, profiles, sessions) and its ClickHouse database — so that a trial, a load test or
// a demo can start again from nothing — and what the data folder keeps of it: its demo users'
// passwords, its simulator's start count and its writer's in-flight records. The folder's own
// files stay (`secrets.key`, `demo-api-key`: see dataFolderKeeps). Without --yes it only says what
// it would delete.
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { basename, join } from 'node:path';
import { countOf, connectBus, connectRedis, deleteKeysWithPrefix, names as namesOf, safeUrl, type Bus, type Config, type Names, type Redis } from '../core/index.js';
import { clearInflightMinutes, createClickHouse, DataFolderInUseError, RAW_TABLES, type ClickHouse, type SqlClient } from '../storage/index.js';
import { selectRows } from '../storage/sql.js';
import { inflightPath } from '../storage/writer/inflight-minutes.js';
import { demoStartsPath, forgetDemoStarts } from '../ingest/simulator/demo-seed.js';
import { DEMO_API_KEY_FILE, SECRETS_FILE, demoCredentialsOf, forgetDemoCredentials } from './banner.js';
import { SECRETS_KEY_FILE } from '../dashboard/server/auth/index.js';

export type ResetOptions = {
  /** Delete; without it, only list. */
  readonly yes: boolean;
  /** How long to listen for a running process's heartbeat (they come every 2 s). */
  readonly listenMs?: number;
};

export class ResetRefusedError extends Error {
  override readonly name = 'ResetRefusedError';
}

type Out = (line: string) => void;

/** Keys under the prefix, counted with SCAN (no KEYS on a shared server). */
async function countKeys(redis: Redis, prefix: string): Promise<number> {
  let cursor = '0';
  let count = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    count += keys.length;
  } while (cursor !== '0');
  return count;
}

/** The namespace's streams and KV buckets that exist, with what they hold. */
async function streamsOf(bus: Bus, names: Names): Promise<Array<{ name: string; messages: number; bytes: number }>> {
  const all = [...Object.values(names.streams), ...Object.values(names.kv).map((bucket) => `KV_${bucket}`)];
  const found: Array<{ name: string; messages: number; bytes: number }> = [];
  for (const name of all) {
    const info = await bus.jsm.streams.info(name).catch(() => null);
    if (info) found.push({ name, messages: info.state.messages, bytes: info.state.bytes });
  }
  return found;
}

/**
 * The ids of the riskstream processes running in the namespace (from their health heartbeats,
 * every 2 s), all of them: naming the first alone sent the operator back once per process.
 */
async function runningProcesses(bus: Bus, names: Names, listenMs: number): Promise<string[]> {
  const heard = new Set<string>();
  const subscription = bus.nc.subscribe(names.subjects.healthAll, {
    callback: (error, message) => {
      if (!error) heard.add(message.subject.slice(message.subject.lastIndexOf('.') + 1));
    },
  });
  await sleep(listenMs);
  subscription.unsubscribe();
  return [...heard].sort();
}

/** `<one> is running (a)`, or `2 <many> are running (a, b)`. */
function runningText(running: readonly string[], one: string, many: string): string {
  return running.length === 1 ? `${one} is running (${running[0]})` : `${running.length} ${many} are running (${running.join(', ')})`;
}

/** ClickHouse as the processes use it. An embedded folder held by a running process fails here, naming it. */
function openClickHouse(config: Config, names: Names): Promise<ClickHouse> {
  return createClickHouse({ url: config.clickhouseUrl, dataDir: config.dataDir, database: names.database, cluster: config.clickhouseCluster });
}

/**
 * ClickHouse, or the refusal of an embedded folder another process holds: one that sent no
 * heartbeat of this namespace (another namespace's riskstream on the same folder, say). Listing
 * says so; deleting is refused, where before even listing failed with start's advice.
 */
async function openUnlessHeld(config: Config, names: Names): Promise<ClickHouse | DataFolderInUseError> {
  try {
    return await openClickHouse(config, names);
  } catch (error) {
    if (error instanceof DataFolderInUseError) return error;
    throw error;
  }
}

/** Tables and views of the database, or null when it does not exist. */
async function tablesOf(client: SqlClient, database: string): Promise<number | null> {
  const [row] = await selectRows<{ databases: string; tables: string }>(
    client,
    'SELECT (SELECT count() FROM system.databases WHERE name = {db:String}) AS databases, (SELECT count() FROM system.tables WHERE database = {db:String}) AS tables',
    { db: database },
  );
  return Number(row?.databases ?? 0) === 0 ? null : Number(row?.tables ?? 0);
}

function size(bytes: number): string {
  return bytes >= 1024 ** 2 ? `${(bytes / 1024 ** 2).toFixed(1)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`;
}

/** What the data folder keeps of the namespace, as `reset` names it; empty when nothing. */
function dataFolderHolds(config: Config, names: Names): string[] {
  const passwords = demoCredentialsOf(config.dataDir, config.namespace);
  return [
    ...(passwords > 0 ? [`demo users' passwords in ${SECRETS_FILE} (${countOf(passwords, 'start')})`] : []),
    ...(existsSync(demoStartsPath(config.dataDir, config.namespace)) ? [`the simulator's start count (${basename(demoStartsPath(config.dataDir, config.namespace))})`] : []),
    ...(RAW_TABLES.some((table) => existsSync(inflightPath(config.dataDir, names.database, table))) ? ["the writer's record of its last inserts (writer-inflight/)"] : []),
  ];
}

/**
 * The data folder's own files, which a reset leaves, with why: they are the folder's, shared by
 * every namespace and process that uses it, not one namespace's. The secrets key also opens the
 * second factors in a backup of users taken before the reset (`riskstream backup`).
 */
function dataFolderKeeps(dataDir: string): string | null {
  const kept = [
    ...(existsSync(join(dataDir, SECRETS_KEY_FILE)) ? [`${SECRETS_KEY_FILE} (seals second factors, also those in a backup of users taken before this reset)`] : []),
    ...(existsSync(join(dataDir, DEMO_API_KEY_FILE)) ? [`${DEMO_API_KEY_FILE} (the folder's demo ingest key; delete it for a new one)`] : []),
  ];
  return kept.length === 0 ? null : `${kept.join(' and ')}: the data folder's, for every namespace that uses it`;
}

/** Lists, or with `yes` deletes, what the namespace keeps. Throws ResetRefusedError while it runs. */
export async function runReset(config: Config, options: ResetOptions, out: Out): Promise<void> {
  const names = namesOf(config.namespace);
  const bus = await connectBus(config.natsUrl, names, 'riskstream-reset');
  let redis: Redis | undefined;
  try {
    redis = await connectRedis(config.redisUrl, 'riskstream-reset');
    const running = await runningProcesses(bus, names, options.listenMs ?? 3000);
    // listing is harmless while a process runs; deleting is refused
    if (running.length > 0 && options.yes) {
      throw new ResetRefusedError(`${runningText(running, `a riskstream process of namespace "${config.namespace}"`, `riskstream processes of namespace "${config.namespace}"`)}: stop every process of the namespace, then run reset again`);
    }
    const streams = await streamsOf(bus, names);
    const keys = await countKeys(redis, names.redisPrefix);
    const embedded = !config.clickhouseUrl;
    const where = embedded ? `embedded chDB in ${config.dataDir}` : safeUrl(config.clickhouseUrl!);
    // An embedded folder that was never created holds nothing (and opening it would create it).
    // (and a running process owns its embedded folder: it is not opened then)
    const ownedByRunning = running.length > 0 && embedded;
    const opened = ownedByRunning || (embedded && !existsSync(join(config.dataDir, 'chdb'))) ? null : await openUnlessHeld(config, names);
    const ch = opened instanceof DataFolderInUseError ? null : opened;
    const heldBy = opened instanceof DataFolderInUseError ? opened.ownerPid : null;
    if (heldBy !== null && options.yes) {
      throw new ResetRefusedError(
        `the embedded ClickHouse data folder ${config.dataDir} is held by process ${heldBy}, which is not of namespace "${config.namespace}" ` +
          '(a riskstream of another namespace on the same RISKSTREAM_DATA_DIR?): stop it, then run reset --yes again; nothing was deleted',
      );
    }

    out(`namespace "${config.namespace}":`);
    out(`  NATS ${safeUrl(config.natsUrl)}: ${streams.length === 0 ? 'no streams or buckets' : streams.map((s) => `${s.name} (${countOf(s.messages, 'message')}, ${size(s.bytes)})`).join(', ')}`);
    out(`  Redis ${safeUrl(config.redisUrl)}: ${countOf(keys, 'key')} under "${names.redisPrefix}"`);
    try {
      const tables = ch === null ? null : await tablesOf(ch.client, names.database);
      const inFolder = dataFolderHolds(config, names);
      const keeps = dataFolderKeeps(config.dataDir);
      out(
        `  ClickHouse ${where}: ${
          ownedByRunning
            ? 'not read: the running process owns the folder'
            : heldBy !== null
              ? `not read: process ${heldBy} holds the folder`
              : tables === null
                ? `no database "${names.database}"`
                : `database "${names.database}" (${tables} tables and views)`
        }`,
      );
      out(`  data folder ${config.dataDir}: ${inFolder.length === 0 ? 'nothing of the namespace' : inFolder.join(', ')}`);
      if (keeps !== null) out(`    stays: ${keeps}`);
      if (!options.yes) {
        out('');
        out(
          running.length > 0
            ? `Nothing deleted. ${runningText(running, 'A process of the namespace', 'processes of the namespace')}: stop every process of the namespace, then run \`riskstream reset --yes\` to delete all of the above (users and cases included).`
            : heldBy !== null
              ? `Nothing deleted. Process ${heldBy} holds the data folder (a riskstream of another namespace?): stop it, then run \`riskstream reset --yes\` to delete all of the above (users and cases included).`
              : 'Nothing deleted. Run `riskstream reset --yes` to delete all of the above (users and cases included).',
        );
        return;
      }
      for (const stream of streams) await bus.jsm.streams.delete(stream.name);
      const deleted = await deleteKeysWithPrefix(redis, names.redisPrefix);
      if (ch !== null && tables !== null) {
        const onCluster = ch.kind === 'server' && config.clickhouseCluster ? ` ON CLUSTER ${config.clickhouseCluster}` : '';
        await ch.client.command({ query: `DROP DATABASE IF EXISTS ${names.database}${onCluster} SYNC` });
      }
      // the writer's record of its last inserts' minutes, for the database just dropped
      clearInflightMinutes(config.dataDir, names.database, RAW_TABLES);
      // the passwords of the demo users just deleted, and the count of banks the emptied feature store saw
      forgetDemoCredentials(config.dataDir, config.namespace);
      forgetDemoStarts(config.dataDir, config.namespace);
      out('');
      const gone = [
        countOf(streams.length, 'stream or bucket', 'streams and buckets'),
        countOf(deleted, 'Redis key'),
        ...(tables !== null ? [`the ClickHouse database "${names.database}"`] : []),
        ...(inFolder.length > 0 ? [`from the data folder ${inFolder.join(', ')}`] : []),
      ];
      out(`Deleted ${gone.slice(0, -1).join(', ')}, and ${gone.at(-1)}.`);
    } finally {
      await ch?.close();
    }
  } finally {
    redis?.disconnect();
    await bus.nc.close();
  }
}
