// The ClickHouse client factory: embedded chDB under <dataDir>/chdb by default, a ClickHouse server
// when CLICKHOUSE_URL is set; both behind the same `@clickhouse/client` API.
import { join } from 'node:path';
import { createClient, type ClickHouseClient, type ClickHouseClientConfigOptions, type ClickHouseSettings } from '@clickhouse/client';
import { createChdbConnection } from 'chdb/connection';
import { ConfigError, ServiceUnavailableError, makeFolder, safeUrl, withoutSecretsOf } from '../core/index.js';
import { acquireDataFolderLock, type DataFolderLock } from './data-folder-lock.js';
import { assertDatabaseName } from './sql.js';
import { lowerEngineThreadPriority } from './engine-threads.js';

export type ClickHouseKind = 'chdb' | 'server';

export type ClickHouseOptions = {
  /** A ClickHouse server (CLICKHOUSE_URL, credentials in the URL); unset: embedded chDB. */
  readonly url?: string | undefined;
  /** RISKSTREAM_DATA_DIR; chDB keeps its data in `<dataDir>/chdb`. */
  readonly dataDir: string;
  /** The namespace's database (names.database). */
  readonly database: string;
  /** CLICKHOUSE_CLUSTER; only with a server. */
  readonly cluster?: string | undefined;
};

export type ClickHouse = {
  readonly client: ClickHouseClient;
  readonly kind: ClickHouseKind;
  readonly database: string;
  readonly cluster: string | undefined;
  /** Closes the client and, for chDB, gives up the data folder. */
  close(): Promise<void>;
};

export async function createClickHouse(options: ClickHouseOptions): Promise<ClickHouse> {
  const database = assertDatabaseName(options.database);
  if (options.url) return connectServer(options.url, database, options.cluster);
  if (options.cluster) {
    throw new ConfigError('CLICKHOUSE_CLUSTER needs CLICKHOUSE_URL: embedded chDB is a single node');
  }
  return openChdb(join(options.dataDir, 'chdb'), database);
}

async function connectServer(url: string, database: string, cluster: string | undefined): Promise<ClickHouse> {
  const client = createClient({ url, application: 'riskstream', request_timeout: 60_000 });
  const ping = await client.ping();
  if (!ping.success) {
    await client.close();
    throw new ServiceUnavailableError(`ClickHouse is not reachable at ${safeUrl(url)} (${withoutSecretsOf(url, ping.error.message)}). Start the server or unset CLICKHOUSE_URL to use embedded chDB.`);
  }
  return { client, kind: 'server', database, cluster, close: () => client.close() };
}

/**
 * Embedded chDB shares the machine's cores with the decision path in the same process: one thread
 * per query keeps an insert or a dashboard query from taking every core at once (which showed as
 * tail latency in decisions and alert delivery), at the cost of slower single big queries.
 */
export const CHDB_SETTINGS: ClickHouseSettings = { max_threads: 1, max_insert_threads: '1' };

function openChdb(folder: string, database: string): ClickHouse {
  makeFolder(folder, 'RISKSTREAM_DATA_DIR');
  const lock: DataFolderLock = acquireDataFolderLock(folder);
  let client: ClickHouseClient;
  try {
    // chdb types its connection against its own copy of @clickhouse/client-common; same shape.
    const connection = createChdbConnection({ path: folder }) as unknown as ClickHouseClientConfigOptions['connection'];
    client = createClient({ connection, clickhouse_settings: CHDB_SETTINGS });
  } catch (error) {
    lock.release();
    throw new Error(`cannot open the embedded ClickHouse folder ${folder}: ${(error as Error).message}`, { cause: error });
  }
  const priority = lowerEngineThreadPriority();
  let closed = false;
  return {
    client,
    kind: 'chdb',
    database,
    cluster: undefined,
    async close() {
      if (closed) return;
      closed = true;
      priority.stop();
      try {
        await client.close();
      } finally {
        lock.release();
      }
    },
  };
}
