// `riskstream doctor`: checks each service the system needs, then the namespace (its processes,
// streams and consumers), and says how to fix what is wrong.
import { countOf, connectBus, connectRedis, diskSpaceOf, diskSpaceText, evictionProblem, lowDiskSpaceProblem, names as namesOf, redisMemory, safeUrl, storageReservations, type Config, type DiskSpace } from '../core/index.js';
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { createClickHouse, type SqlClient } from '../storage/index.js';
import { namespaceReport, readNamespaceStatus, type NamespaceReport } from './namespace-status.js';

export type Check = { readonly name: string; readonly ok: boolean; readonly detail: string };

export async function runDoctor(config: Config, out: (line: string) => void = (l) => process.stdout.write(l + '\n')): Promise<boolean> {
  const checks: Check[] = [];
  const names = namesOf(config.namespace);
  let namespace: NamespaceReport | null = null;

  try {
    const bus = await connectBus(config.natsUrl, names, 'riskstream-doctor');
    const info = bus.nc.info;
    checks.push({ name: 'NATS', ok: true, detail: `${safeUrl(config.natsUrl)} (server ${info?.version ?? '?'})` });
    try {
      const account = await bus.jsm.getAccountInfo();
      const streams = await Promise.all(
        Object.values(names.streams).map((s) => bus.jsm.streams.info(s).then(() => s, () => null)),
      );
      const present = streams.filter(Boolean).length;
      const reservations = await storageReservations(bus.jsm);
      const reserved = reservations.reduce((sum, r) => sum + r.bytes, 0);
      checks.push({
        name: 'JetStream',
        ok: true,
        detail:
          `enabled (${account.streams} streams on the account; ${namespaceStreamsText(config.namespace, present, Object.keys(names.streams).length)}; ` +
          `${(reserved / 1024 ** 3).toFixed(1)} GiB of file storage reserved by ${countOf(reservations.length, 'namespace')})`,
      });
    } catch (error) {
      checks.push({ name: 'JetStream', ok: false, detail: (error as Error).message });
    }
    // The namespace itself: its processes (heartbeats), streams and consumers.
    namespace = await readNamespaceStatus(bus)
      .then(namespaceReport)
      .catch(() => null);
    await bus.nc.close();
  } catch (error) {
    const message = (error as Error).message;
    if (message.includes('JetStream is not enabled')) {
      // NATS answered: only JetStream is missing
      checks.push({ name: 'NATS', ok: true, detail: `${safeUrl(config.natsUrl)} answers` });
      checks.push({ name: 'JetStream', ok: false, detail: message });
    } else {
      checks.push({ name: 'NATS', ok: false, detail: message });
      checks.push({ name: 'JetStream', ok: false, detail: 'not checked: NATS is not reachable' });
    }
  }

  try {
    const redis = await connectRedis(config.redisUrl, 'riskstream-doctor');
    try {
      const version = /redis_version:(\S+)/.exec(await redis.info('server'))?.[1] ?? '?';
      const memory = await redisMemory(redis);
      const problem = evictionProblem(memory);
      const used = `${(memory.usedBytes / 1024 ** 2).toFixed(0)} MiB used${memory.maxBytes > 0 ? ` of ${(memory.maxBytes / 1024 ** 2).toFixed(0)} MiB` : ', no limit'}`;
      checks.push({ name: 'Redis', ok: problem === null, detail: `${safeUrl(config.redisUrl)} (version ${version}, ${used})${problem === null ? '' : `: ${problem}`}` });
    } finally {
      redis.disconnect();
    }
  } catch (error) {
    checks.push({ name: 'Redis', ok: false, detail: (error as Error).message });
  }

  checks.push((config.clickhouseUrl ? null : embeddedFolderNotYetMade(config.dataDir)) ?? (await clickHouseCheck(config, names.database)));
  const disk = config.clickhouseUrl ? null : dataDiskCheck(config.dataDir);
  if (disk) checks.push(disk);

  for (const check of checks) out(`${check.ok ? '✓' : '✗'} ${check.name.padEnd(11)} ${check.detail}`);
  if (namespace) {
    out('');
    for (const line of namespace.lines) out(line);
    for (const problem of namespace.problems) out(`✗ ${problem}`);
  }
  const ok = checks.every((c) => c.ok) && (namespace?.problems.length ?? 0) === 0;
  out(ok ? '\nEverything riskstream needs is reachable.' : '\nFix the lines marked ✗, then run `riskstream doctor` again.');
  return ok;
}

/**
 * Which of its streams the namespace has, for the JetStream line. 'created at start' (before
 * 2026-12-07, after '0/4 of namespace') read as if they had been created, when none was there.
 */
export function namespaceStreamsText(namespace: string, present: number, total: number): string {
  if (present === 0) return `namespace "${namespace}" has no stream yet (riskstream start creates its ${total})`;
  if (present < total) return `namespace "${namespace}" has ${present} of its ${total} streams (riskstream start creates the others)`;
  return `namespace "${namespace}" has its ${total} streams`;
}

/** Opens ClickHouse (embedded chDB, or the server) and asks its version and the namespace's database. */
async function clickHouseCheck(config: Config, database: string): Promise<Check> {
  try {
    const ch = await createClickHouse({
      url: config.clickhouseUrl,
      dataDir: config.dataDir,
      database,
      cluster: config.clickhouseCluster,
    });
    try {
      const result = await ch.client.query({ query: 'SELECT version() AS v', format: 'JSONEachRow' });
      const rows = (await result.json()) as Array<{ v: string }>;
      const where = ch.kind === 'chdb' ? `embedded chDB in ${config.dataDir}` : safeUrl(config.clickhouseUrl ?? '');
      return { name: 'ClickHouse', ok: true, detail: `${where} (version ${rows[0]?.v ?? '?'}; ${await databaseState(ch.client, database)})` };
    } finally {
      await ch.close();
    }
  } catch (error) {
    // A running riskstream owns the embedded data folder: that is the healthy case, nothing to stop.
    if ((error as Error).name === 'DataFolderInUseError') {
      const owner = (error as Error & { ownerPid: number }).ownerPid;
      return { name: 'ClickHouse', ok: true, detail: `embedded chDB in ${config.dataDir}, open in the running riskstream (process ${owner})` };
    }
    return { name: 'ClickHouse', ok: false, detail: (error as Error).message };
  }
}

/**
 * The Disk line for embedded chDB: the free space of the data folder's disk (of the nearest folder
 * that exists, when it is not made yet), ✗ when nearly full — once full, nothing more is stored
 * (docs/operations.md, "When the data folder's disk fills"). Null when it cannot be read.
 */
export function dataDiskCheck(dataDir: string, space: DiskSpace | null = diskSpaceOf(nearestExisting(resolve(dataDir)))): Check | null {
  if (space === null) return null;
  const problem = lowDiskSpaceProblem({ ...space, path: dataDir });
  return { name: 'Disk', ok: problem === null, detail: problem ?? `data folder ${dataDir}: ${diskSpaceText(space)}` };
}

function nearestExisting(path: string): string {
  let folder = path;
  while (!existsSync(folder) && dirname(folder) !== folder) folder = dirname(folder);
  return folder;
}

/**
 * The ClickHouse line for an embedded data folder that holds no chDB data yet, or null when it does
 * (then it is opened and asked). Opening would make the folder: a check must change nothing, so
 * it says whether `start` can make it, from the nearest folder that exists.
 */
function embeddedFolderNotYetMade(dataDir: string): Check | null {
  const folder = resolve(dataDir, 'chdb');
  if (existsSync(folder)) return null;
  let parent = dirname(folder);
  while (!existsSync(parent) && dirname(parent) !== parent) parent = dirname(parent);
  try {
    if (!statSync(parent).isDirectory()) throw Object.assign(new Error('not a folder'), { code: 'ENOTDIR' });
    accessSync(parent, constants.W_OK | constants.X_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    return { name: 'ClickHouse', ok: false, detail: `embedded chDB cannot be made in ${folder}: ${parent} is not a folder this user can write (${code}); set RISKSTREAM_DATA_DIR to one` };
  }
  return { name: 'ClickHouse', ok: true, detail: `embedded chDB: no data in ${dataDir} yet (riskstream start makes ${folder}; a mistyped RISKSTREAM_DATA_DIR reads so too)` };
}

/**
 * Whether the namespace's database is there, as the JetStream line says of its streams: a data
 * folder or namespace mistyped opens fine (embedded chDB makes the folder) and shows here as empty.
 */
async function databaseState(client: SqlClient, database: string): Promise<string> {
  const result = await client.query({ query: 'SELECT count() AS n FROM system.tables WHERE database = {db:String}', query_params: { db: database }, format: 'JSONEachRow' });
  const [row] = (await result.json()) as Array<{ n: string | number }>;
  const tables = Number(row?.n ?? 0);
  return tables === 0 ? `no database "${database}" yet (riskstream start creates it)` : `database "${database}" with ${tables} tables and views`;
}
