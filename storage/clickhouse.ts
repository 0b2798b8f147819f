// The ClickHouse client factory: embedded chDB under <dataDir>/chdb by default, a ClickHouse server
// when CLICKHOUSE_URL is set; both behind the same `@clickhouse/client` API.
import { join } from 'node:path';
import { ClickHouseLogLevel, createClient, type ClickHouseClient, type ClickHouseClientConfigOptions, type ClickHouseSettings, type Logger as ClientLogger, type LogParams, type WarnLogParams } from '@clickhouse/client';
import { createChdbConnection } from 'chdb/connection';
import { ConfigError, ServiceUnavailableError, makeFolder, safeUrl, withoutSecretsOf, type Logger } from '../core/index.js';
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
  /**
   * Where the server client's own warnings and errors go (a dropped socket, say), as riskstream's
   * log lines. Unset (the commands that say what failed in their own words): nowhere.
   */
  readonly logger?: Logger | undefined;
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
  if (options.url) return connectServer(options.url, database, options.cluster, options.logger);
  if (options.cluster) {
    throw new ConfigError('CLICKHOUSE_CLUSTER needs CLICKHOUSE_URL: embedded chDB is a single node');
  }
  return openChdb(join(options.dataDir, 'chdb'), database);
}

async function connectServer(url: string, database: string, cluster: string | undefined, logger: Logger | undefined): Promise<ClickHouse> {
  const log = logger ? { LoggerClass: clientLoggerFor(logger, url), level: ClickHouseLogLevel.WARN } : { level: ClickHouseLogLevel.OFF };
  const client = createClient({ url, application: 'riskstream', request_timeout: 60_000, log });
  const ping = await client.ping();
  if (!ping.success) {
    await client.close();
    throw new ServiceUnavailableError(`ClickHouse is not reachable at ${safeUrl(url)} (${withoutSecretsOf(url, ping.error.message)}). Start the server or unset CLICKHOUSE_URL to use embedded chDB.`);
  }
  return { client, kind: 'server', database, cluster, close: () => client.close() };
}

/**
 * The server client's log, as riskstream's log lines. Left to itself the client writes to the
 * console: several lines with the error's stack for every failed ping (at start, and at every
 * /healthz while the server is down), outside the JSON a log collector reads. Here each is one
 * line with the error's message, its URL's credentials masked. A failed ping is debug: whoever
 * pinged reports it (the start's message, /healthz).
 */
function clientLoggerFor(logger: Logger, url: string): new () => ClientLogger {
  const fields = ({ module, args, err }: WarnLogParams): Record<string, unknown> => ({
    component: 'clickhouse-client',
    module,
    ...(args ?? {}),
    ...(err ? { error: withoutSecretsOf(url, err.message) } : {}),
  });
  return class RiskstreamClickHouseLog implements ClientLogger {
    trace(params: LogParams): void {
      logger.trace(fields(params), params.message);
    }
    debug(params: LogParams): void {
      logger.debug(fields(params), params.message);
    }
    info(params: LogParams): void {
      logger.info(fields(params), params.message);
    }
    warn(params: WarnLogParams): void {
      if (params.message.startsWith('Ping')) logger.debug(fields(params), params.message);
      else logger.warn(fields(params), params.message);
    }
    error(params: WarnLogParams): void {
      logger.error(fields(params), params.message);
    }
  };
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
