// Starts the roles of one riskstream process and stops them in order. Connections are made here
// and handed to the parts (I/O is injected); nothing below opens its own.
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import {
  connectBus,
  closeRedis,
  connectRedis,
  evictionProblem,
  redisMemory,
  createLogger,
  createMetrics,
  ensureStreams,
  keepStreams,
  BacklogWatch,
  mergedSnapshot,
  names as namesOf,
  sourcePath,
  newProcId,
  startHeartbeat,
  safeUrl,
  folderOpenToOthers,
  diskSpaceOf,
  lowDiskSpaceProblem,
  setFxRates,
  streamLimitsOf,
  validateEvent,
  type Bus,
  ConfigError,
  ServiceUnavailableError,
  isRedisUnavailable,
  redisUnavailableMessage,
  processorsHaveRun,
  watchRedisState,
  type Config,
  type Logger,
  type Metrics,
  type Redis,
  type Role,
  type ValidatedEvent,
} from '../core/index.js';
import { PACKAGE_VERSION } from './version.js';
import { DEFAULT_BACKOFF } from '../core/backoff.js';
import { BacklogGate } from '../ingest/backlog-gate.js';
import { createEventPublisher, DecisionWaiters, type EventPublisher } from '../ingest/publisher.js';
import { decisionsElsewherePlugin, decisionsPlugin, ingestPlugin } from '../ingest/http.js';
import { createSimulator, DEMO_OPENING_EVERY_MS, runSimulator, simulatorCustomers } from '../ingest/simulator/index.js';
import { demoSeed } from '../ingest/simulator/demo-seed.js';
import { createProductProcessor, MARKER_REPLY_BYTES, processorsProblem, startKpiPublisher, startProcessorThread, type KpiPublisher, type Processor, type ProcessorThread } from '../processors/index.js';
import { closeInflightFolder, createClickHouse, createReadModels, createWriter, migrate, repairMinuteAggregates, writerProblem, type ClickHouse, type Writer } from '../storage/index.js';
import { buildServer } from '../dashboard/server/server.js';
import { webAppBuild } from '../dashboard/server/web-app.js';
import {
  authPlugin,
  createRequestAuthenticator,
  createSessionStore,
  createUserStore,
  loadSecretBox,
  adminFromEnv,
  ensureAdminFromEnv,
  requireRoles,
  seedDemoUsers,
  type CreatedUser,
} from '../dashboard/server/auth/index.js';
import { hubPlugin } from '../dashboard/server/hub/index.js';
import { dataApiPlugin, openApiPlugin } from '../dashboard/server/api/index.js';
import { combineChecks } from '../dashboard/server/health.js';

export type RunningSystem = {
  readonly config: Config;
  readonly roles: ReadonlySet<Role>;
  readonly server: FastifyInstance;
  readonly address: string;
  /** Demo users created by this start, with their passwords (printed once; empty otherwise). */
  readonly demoUsers: readonly CreatedUser[];
  /** The dashboard runs here and nobody can sign in to it: no user exists yet. */
  readonly noDashboardUsers: boolean;
  stop(): Promise<void>;
};

const ROLES_USING_CLICKHOUSE: readonly Role[] = ['writer', 'api'];

/**
 * The demo's simulator sends what it made in each tenth of a second as one publish (its envelopes),
 * on the tenth. Left to itself it published every event as it fell due — at 50 events/s a message
 * of one event every 20 ms, each then a micro-batch of its own for the processors (a Redis script
 * call, a publish, an ack) and a message for the writer: 5.1 ms of riskstream CPU per event at
 * 50/s, 3.8 ms sent so (BENCHMARKS.md, 2026-12-07). Its events wait at most this long before
 * ingest; decision latency is measured from ingest, and the dashboard's seconds are unchanged.
 */
export const DEMO_SEND_EVERY_MS = 100;

/**
 * Events per publish the demo's simulator may send: two tenths of a second's worth, so that a tenth
 * missed on a busy machine is caught up at the next (at most 5,000, runSimulator's own cap).
 */
export function demoBatchSize(rate: number): number {
  return Math.max(1, Math.min(5000, Math.ceil((rate * 2 * DEMO_SEND_EVERY_MS) / 1000)));
}

export type SystemHooks = {
  /**
   * Demo users created again after NATS came back without its store (the users bucket empty), with
   * their new passwords: shown where the first ones were.
   */
  readonly demoUsersRecreated?: (users: readonly CreatedUser[]) => void;
};

export async function startSystem(
  config: Config,
  roles: ReadonlySet<Role>,
  logger: Logger = createLogger(config.logLevel, undefined, undefined, config.logFormat),
  hooks: SystemHooks = {},
): Promise<RunningSystem> {
  const names = namesOf(config.namespace);
  // The dashboard's own settings, checked before anything is made: a short
  // RISKSTREAM_ADMIN_PASSWORD or a malformed RISKSTREAM_SECRETS_KEY was refused only once the
  // namespace's streams (their storage reserved), a Redis key and its ClickHouse database existed.
  const adminEnv = { RISKSTREAM_ADMIN_USER: config.adminUser, RISKSTREAM_ADMIN_PASSWORD: config.adminPassword };
  // (the admin settings first: loading the secret box may create the data folder and its key)
  if (roles.has('api')) adminFromEnv(adminEnv);
  const secrets = roles.has('api') ? loadSecretBox(config) : undefined;
  const metrics: Metrics = createMetrics();
  setFxRates(config.fxRates);
  const stops: Array<[string, () => Promise<void>]> = [];
  const usesClickHouse = ROLES_USING_CLICKHOUSE.some((r) => roles.has(r));
  // The processors get a thread (and an event loop) of their own when other roles share the process.
  const processorsThread = roles.has('processors') && (config.processorsThread === 'auto' ? roles.size > 1 : config.processorsThread);
  // Processors keep features in Redis (a thread opens its own connection); the api role keeps dashboard sessions there.
  // The gateway claims event ids there when it groups events into envelopes.
  const usesRedis = (roles.has('processors') && !processorsThread) || roles.has('api') || (roles.has('ingest') && config.ingestEnvelope > 1);

  let bus: Bus;
  try {
    bus = await connectBus(config.natsUrl, names, `riskstream:${[...roles].join(',')}`, logger);
  } catch (error) {
    // Both down: say so at once rather than one at a time, start after start (a processors
    // thread needs Redis too: it is asked before the streams are made, below).
    if ((usesRedis || roles.has('processors')) && error instanceof ServiceUnavailableError) {
      const redisDown = await pingRedisOnce(config.redisUrl).then(
        () => null,
        (e: Error) => e.message,
      );
      if (redisDown !== null) throw new ServiceUnavailableError(`${error.message}\n${redisDown}`);
    }
    throw error;
  }
  /** What a fresh installation starts with, put back when the KV buckets come back empty (set once the user store exists). */
  let afterStreamsRecreated: (() => Promise<void>) | undefined;
  stops.push(['nats', async () => {
    bus.publisher.close();
    await bus.nc.drain().catch(() => undefined);
  }]);
  let redis: Redis | undefined;
  let clickhouse: ClickHouse | undefined;
  try {
    // ClickHouse first: a start refused there (embedded chDB's data folder held by another process
    // or not writable, a server that does not answer) leaves no streams (whose storage JetStream
    // reserves) and no Redis state behind, in a namespace that may never run.
    if (usesClickHouse) {
      clickhouse = await createClickHouse({
        url: config.clickhouseUrl,
        dataDir: config.dataDir,
        database: names.database,
        cluster: config.clickhouseCluster,
        logger,
      });
      const ch = clickhouse;
      stops.push(['clickhouse', () => ch.close()]);
    }
    if (usesRedis) {
      redis = await connectRedis(config.redisUrl, 'riskstream-processors', logger);
      const r = redis;
      stops.push(['redis', () => closeRedis(r)]);
      const problem = evictionProblem(await redisMemory(r).catch(() => ({ usedBytes: 0, maxBytes: 0, policy: 'unknown' })));
      if (problem !== null) logger.warn({ redis: safeUrl(config.redisUrl) }, problem);
      metrics.redisStateLost.inc(0);
      const stopWatching = watchRedisState(r, config.redisUrl, names.redisPrefix, logger, () => metrics.redisStateLost.inc(), undefined, () => processorsHaveRun(bus));
      stops.push(['redis state watch', async () => stopWatching()]);
    } else if (roles.has('processors')) {
      // The processors' thread connects to Redis on its own, after the streams exist: ask Redis
      // here first, or a start that fails for want of it leaves the streams behind.
      await pingRedisOnce(config.redisUrl);
    }
    // after Redis answered: a start that fails for want of Redis creates no streams (whose storage JetStream reserves)
    await ensureStreams(bus, streamLimitsOf(config));
    const stopKeeping = keepStreams(bus, streamLimitsOf(config), logger, { afterRecreate: async () => afterStreamsRecreated?.() });
    stops.push(['streams', async () => stopKeeping()]);
    if (clickhouse) {
      const ch = clickhouse;
      await migrate(ch.client, { database: names.database, cluster: config.clickhouseCluster, retentionDays: config.retentionDays });
      // Embedded chDB is this process's alone: mend what a previous unclean stop tore before the
      // writer stores anything (with a server, another writer may be inserting meanwhile).
      if (roles.has('writer') && ch.kind === 'chdb') {
        await repairMinuteAggregates({ client: ch.client, database: names.database, retentionDays: config.retentionDays, logger: logger.child({ role: 'writer' }), dataDir: config.dataDir }).catch(
          (error: unknown) => logger.error({ err: error }, 'could not check the minute aggregates against the stored rows; the dashboard figures may be off for the minutes of the last stop'),
        );
      }
    }
  } catch (error) {
    await runStops(stops, logger);
    throw error;
  }

  const plugins: Array<(app: FastifyInstance) => Promise<void>> = [];
  const readModels = clickhouse ? createReadModels(clickhouse.client, names.database) : undefined;

  let demoUsers: CreatedUser[] = [];
  let noDashboardUsers = false;
  let seedDashboardUsers: (() => Promise<void>) | undefined;
  if (roles.has('api')) {
    // The dashboard: OpenAPI first (it documents the routes registered after it), then sign-in
    // (its hook fills request.user for every route), the live hub and the data API.
    const users = await createUserStore(bus, { secrets: secrets ?? loadSecretBox(config) });
    const admin = await ensureAdminFromEnv(users, adminEnv);
    if (admin && !admin.passwordApplied) {
      logger.warn(
        { username: admin.username },
        `the user ${admin.username} (RISKSTREAM_ADMIN_USER) exists already with another password, which RISKSTREAM_ADMIN_PASSWORD does not replace (it only creates the user): sign in with the password it has, or change it with \`riskstream users passwd ${admin.username}\``,
      );
    }
    // The demo users are made once the server listens (below): their passwords are shown only by
    // the banner of a start that succeeds, so users made by a start refused later (its port in use)
    // existed with passwords nobody had, and the next start said they were in a file never written.
    seedDashboardUsers = async () => {
      if (config.demoUsers) demoUsers = await seedDemoUsers(users);
      noDashboardUsers = (await users.list()).length === 0;
      if (noDashboardUsers) {
        logger.warn(
          'the dashboard has no users, so nobody can sign in: add one with `riskstream users add <name> --role admin`, or set RISKSTREAM_ADMIN_USER and RISKSTREAM_ADMIN_PASSWORD (RISKSTREAM_DEMO_USERS=1 creates the demo users)',
        );
      }
    };
    // A NATS server back without its store has lost every user: the admin from the environment and
    // the demo users come back as at a first start; anyone else must be added again.
    afterStreamsRecreated = async () => {
      const admin = await ensureAdminFromEnv(users, adminEnv);
      if (admin?.created) logger.warn({ username: admin.username }, 'the users bucket came back empty: created the admin from RISKSTREAM_ADMIN_USER again');
      if (!config.demoUsers) {
        if ((await users.list()).length === 0) {
          logger.error(
            'NATS came back without its store and the dashboard has no users any more, so nobody can sign in: restore them from a backup (`riskstream restore`), add one with `riskstream users add <name> --role admin`, or set RISKSTREAM_ADMIN_USER and RISKSTREAM_ADMIN_PASSWORD',
          );
        }
        return;
      }
      const again = await seedDemoUsers(users);
      if (again.length > 0) {
        logger.warn({ usernames: again.map((u) => u.username) }, 'the users bucket came back empty: created the demo users again with new passwords');
        hooks.demoUsersRecreated?.(again);
      }
    };
    const sessions = createSessionStore(redis!, names.redisPrefix);
    const { authenticateRequest } = createRequestAuthenticator(users, sessions);
    const r = redis!;
    const ch = clickhouse!;
    plugins.push(async (app) => void (await app.register(openApiPlugin, { version: PACKAGE_VERSION })));
    plugins.push(async (app) => void (await app.register(authPlugin, { users, sessions, redis: r, prefix: names.redisPrefix, secureCookies: config.secureCookies, logger })));
    // The hub listens on a NATS connection of its own: alerts then never queue on one socket behind
    // the thousands of messages a second the writer's consumers pull on the main connection.
    const hubBus = await connectBus(config.natsUrl, names, 'riskstream:hub');
    stops.push(['nats-hub', async () => void (await hubBus.nc.drain().catch(() => undefined))]);
    // The hub tells every tab which web app this process serves: a tab of another build offers a reload.
    const build = webAppBuild(sourcePath('dist', 'web'));
    plugins.push(async (app) => void (await app.register(hubPlugin, { bus: hubBus, authenticate: authenticateRequest, logger: logger.child({ component: 'hub' }), metrics, limits: { maxClientsPerUser: config.wsMaxPerUser }, build, retentionDays: config.retentionDays })));
    plugins.push(async (app) => void (await app.register(dataApiPlugin, { client: ch.client, database: names.database, guard: (allowed) => requireRoles(...allowed) })));
  }

  const procId = newProcId();
  let processor: Processor | undefined;
  let thread: ProcessorThread | undefined;
  let kpiPublisher: KpiPublisher | undefined;
  if (roles.has('processors') && !processorsThread) {
    kpiPublisher = startKpiPublisher(bus, procId, logger);
    processor = createProductProcessor({ bus, redis: redis!, config, metrics, logger: logger.child({ role: 'processors' }), kpis: kpiPublisher.accumulator });
  }
  let writer: Writer | undefined;
  if (roles.has('writer')) {
    // Mapping rows off the main thread costs ≈ 10 % more CPU per row and halves how long alerts wait
    // for the dashboard's sockets (docs/decisions/0002): worth it where the API shares the thread.
    const mappingThread = config.writerThread === 'auto' ? roles.has('api') : config.writerThread;
    // On chDB the writer records the minutes of each insert for the repair above; with a server the repair does not run.
    const dataDir = clickhouse!.kind === 'chdb' ? config.dataDir : undefined;
    writer = createWriter({ bus, client: clickhouse!.client, names, metrics, logger: logger.child({ role: 'writer' }), cluster: config.clickhouseCluster, fxRates: config.fxRates, mappingThread, retentionDays: config.retentionDays, dataDir });
  }
  let publisher: EventPublisher | undefined;
  let waiters: DecisionWaiters | undefined;
  if (roles.has('ingest') || roles.has('simulator')) {
    const grouping =
      roles.has('ingest') && config.ingestEnvelope > 1
        ? { redis: redis!, maxRecords: config.ingestEnvelope, lingerMs: config.ingestLingerMs, seenTtlSeconds: streamLimitsOf(config).duplicateWindowSeconds, markerReplyBytes: MARKER_REPLY_BYTES, logger: logger.child({ role: 'ingest' }) }
        : undefined;
    publisher = createEventPublisher(bus, config.partitions, metrics, grouping);
  }
  // Producers here hold back while a stream holds too much unread (ingest/backlog-gate.ts).
  let gate: BacklogGate | undefined;
  if (roles.has('ingest') || roles.has('simulator')) {
    gate = new BacklogGate(bus, metrics, logger.child({ role: 'ingest' }));
    gate.start();
    const g = gate;
    stops.push(['backlog gate', async () => g.stop()]);
  }
  if (roles.has('ingest')) {
    waiters = new DecisionWaiters(bus);
    const w = waiters;
    const p = publisher!;
    const g = gate;
    plugins.push(async (app) => void (await app.register(ingestPlugin, { apiKey: config.apiKeys, publisher: p, waiters: w, decisions: readModels, metrics, gate: g, version: PACKAGE_VERSION })));
  }
  if (roles.has('api') && readModels) {
    const rm = readModels;
    plugins.push(async (app) => void (await app.register(decisionsPlugin, { apiKey: config.apiKeys, decisions: rm, retentionDays: config.retentionDays })));
  } else if (roles.has('ingest') && !roles.has('api')) {
    plugins.push(async (app) => void (await app.register(decisionsElsewherePlugin)));
  }

  const checks: Record<string, () => Promise<void>> = {
    nats: async () => {
      await bus.nc.flush();
    },
    // The namespace's events stream, not only JetStream: a server restarted without its store
    // answers, but has none of our streams until keepStreams puts them back.
    jetstream: async () => {
      await bus.jsm.streams.info(names.streams.events);
    },
  };
  if (redis) {
    const r = redis;
    checks.redis = async () => {
      try {
        await r.ping();
      } catch (error) {
        // the connection's own words ("Stream isn't writeable…") mean nothing to an operator
        if (isRedisUnavailable(error)) throw new Error(redisUnavailableMessage(r, config.redisUrl, error as Error), { cause: error });
        throw error;
      }
    };
  } else {
    // Processes without the processors role still report whether shared state is reachable.
    checks.redis = () => pingRedisOnce(config.redisUrl);
  }
  if (clickhouse) {
    const ch = clickhouse;
    checks.clickhouse = async () => {
      const result = await ch.client.ping();
      if (!result.success) throw result.error;
    };
  }
  if (roles.has('processors')) {
    // Redis may answer pings while refusing every write (full, noeviction): nothing is decided then.
    checks.processors = async () => {
      const status = (thread ?? processor)?.status();
      const problem = status ? processorsProblem(status, Date.now()) : null;
      if (problem) throw new Error(problem);
    };
  }
  if (writer) {
    // ClickHouse may answer pings while refusing every insert (disk full, too many parts).
    const w = writer;
    checks.writer = async () => {
      const problem = writerProblem(w.status(), Date.now());
      if (problem) throw new Error(problem);
    };
  }

  const server = await buildServer({
    logger,
    metrics,
    threadMetrics: () => (thread ? [thread.metrics()] : []),
    health: combineChecks(checks),
    plugins,
    ...(roles.has('api') ? { webApp: { root: sourcePath('dist', 'web') } } : {}),
  });
  let address = '';
  try {
    await writer?.start();
    if (processorsThread) {
      thread = await startProcessorThread(config, procId, logger, (reason) => {
        // Without its processors this process decides nothing: stop it, so that a supervisor restarts it.
        logger.fatal({ reason }, 'the processors thread died; stopping');
        process.kill(process.pid, 'SIGTERM');
      });
      processor = thread;
    }
    await processor?.start();
    try {
      address = await server.listen({ port: config.port, host: config.host });
    } catch (error) {
      throw listenError(error as NodeJS.ErrnoException, config);
    }
    await seedDashboardUsers?.();
  } catch (error) {
    await server.close().catch(() => undefined);
    await writer?.drain().catch(() => undefined);
    await processor?.drain().catch(() => undefined);
    await runStops(stops, logger);
    throw error;
  }

  const backlog = new BacklogWatch(bus, metrics, logger);
  let polling = false;
  const lagTimer = setInterval(() => {
    if (polling) return;
    polling = true;
    void pollLag(bus, metrics, roles, backlog)
      .catch((error: unknown) => logger.debug({ err: error }, 'consumer lag poll failed'))
      .finally(() => (polling = false));
  }, 2000);
  lagTimer.unref();
  const heartbeat = startHeartbeat({ bus, snapshot: () => mergedSnapshot(metrics, thread ? [thread.metrics()] : []), procId, roles: [...roles], logger });

  const simulatorAbort = new AbortController();
  let simulatorDone: Promise<void> | undefined;
  if (roles.has('simulator') && config.simulatorRate > 0) {
    const p = publisher!;
    // The demo opens with every pattern in its first minute, so that its feed is not empty for minutes.
    // A new bank at each start (unless a seed is set): the same one would send its history again.
    const seed = demoSeed(config.simulatorSeed, config.simulatorSeedSet, config.dataDir, config.namespace);
    logger.info({ seed }, 'simulator seed');
    const simulator = createSimulator({ seed, customers: simulatorCustomers(config), openingEveryMs: DEMO_OPENING_EVERY_MS });
    simulatorDone = runSimulator(
      simulator,
      async (events) => {
        const valid: ValidatedEvent[] = [];
        for (const raw of events) {
          const result = validateEvent(raw);
          if (result.ok) valid.push(result.event);
          else logger.error({ errors: result.errors }, 'the simulator made an invalid event; it was dropped');
        }
        // The demo's traffic pauses too while the readers are far behind (its schedule sheds the debt).
        while (gate?.refusing && !simulatorAbort.signal.aborted) await sleep(500);
        // Held to the next tenth of a second: the events due meanwhile go with the next publish.
        await sleep(DEMO_SEND_EVERY_MS - (Date.now() % DEMO_SEND_EVERY_MS));
        // In envelopes: the simulator's events carry ids of their own, and at high rates one
        // message per event would cost the bus more than everything else (docs/events.md).
        await p.publishMany(valid, 'simulator');
      },
      {
        rate: config.simulatorRate,
        batchSize: demoBatchSize(config.simulatorRate),
        signal: simulatorAbort.signal,
        // A NATS outage pauses the demo's traffic; it resumes with the same events once the bus is back.
        retry: {
          backoff: DEFAULT_BACKOFF,
          onError: (error, retryInMs) => logger.warn({ err: error, retryInMs }, 'the simulator could not publish; it tries again'),
        },
      },
    ).catch((error: unknown) => logger.error({ err: error }, 'simulator stopped'));
  }

  logger.info(
    {
      roles: [...roles],
      address,
      namespace: config.namespace,
      nats: safeUrl(config.natsUrl),
      redis: redis ? safeUrl(config.redisUrl) : undefined,
      clickhouse: clickhouse ? (clickhouse.kind === 'chdb' ? `chdb:${config.dataDir}` : safeUrl(config.clickhouseUrl ?? '')) : undefined,
    },
    'riskstream started',
  );
  if (clickhouse?.kind === 'chdb') {
    // Folders riskstream creates are 0700; one that existed before (an older install, or made by hand) keeps its mode: say so once.
    const openFolder = folderOpenToOthers(config.dataDir, 'the data folder (RISKSTREAM_DATA_DIR)');
    if (openFolder) logger.warn({ dataDir: config.dataDir }, openFolder);
    // riskstream's own folder inside, made 0755 by older versions, is closed (or named, when it cannot be)
    closeInflightFolder(config.dataDir, logger.child({ role: 'writer' }));
    // Once the disk is full nothing more is stored: said at start while there is time to act (the writer says it again when inserts fail).
    const space = diskSpaceOf(config.dataDir);
    const lowSpace = lowDiskSpaceProblem(space);
    if (lowSpace !== null) logger.warn({ dataDir: config.dataDir, freeBytes: space!.freeBytes, totalBytes: space!.totalBytes }, lowSpace);
  }

  let stopping: Promise<void> | undefined;
  return {
    config,
    roles,
    server,
    address,
    demoUsers,
    noDashboardUsers,
    stop() {
      stopping ??= (async () => {
        clearInterval(lagTimer);
        heartbeat.stop();
        simulatorAbort.abort();
        await simulatorDone;
        logger.debug('simulator stopped');
        // Stop taking requests, finish what is in flight, then flush storage and close connections.
        await server.close().catch(() => undefined);
        logger.debug('http server closed');
        await processor?.drain().catch((error: unknown) => logger.error({ err: error }, 'processor drain failed'));
        logger.debug('processors drained');
        kpiPublisher?.flush();
        kpiPublisher?.stop();
        await writer?.drain().catch((error: unknown) => logger.error({ err: error }, 'writer drain failed'));
        logger.debug('writer drained');
        waiters?.close();
        await runStops(stops, logger);
        logger.info('riskstream stopped');
      })();
      return stopping;
    },
  };
}

async function runStops(stops: Array<[string, () => Promise<void>]>, logger: Logger): Promise<void> {
  for (const [name, stop] of stops.reverse()) {
    await stop().catch((error: unknown) => logger.warn({ err: error, part: name }, 'close failed'));
  }
  stops.length = 0;
}

async function pingRedisOnce(url: string): Promise<void> {
  const redis = await connectRedis(url, 'riskstream-health');
  try {
    await redis.ping();
  } finally {
    redis.disconnect();
  }
}

async function pollLag(bus: Bus, metrics: Metrics, roles: ReadonlySet<Role>, backlog: BacklogWatch): Promise<void> {
  const { streams, consumers } = bus.names;
  const watched: Array<[string, string, string]> = [];
  if (roles.has('processors')) watched.push([streams.events, consumers.processors, 'processors']);
  if (roles.has('writer')) {
    watched.push([streams.events, consumers.writerEvents, 'writer-events']);
    watched.push([streams.decisions, consumers.writerDecisions, 'writer-decisions']);
    watched.push([streams.alerts, consumers.writerAlerts, 'writer-alerts']);
    watched.push([streams.dlq, consumers.writerDlq, 'writer-dlq']);
  }
  for (const [stream, durable, label] of watched) {
    // The lag, and whether the stream discarded what this consumer had not read yet (or is about to).
    const look = await backlog.look({ stream, durable, label });
    if (!look) {
      // unknown while the stream cannot be read (NATS away): NaN, not the last value, which looked healthy
      metrics.consumerLag.set({ consumer: label }, Number.NaN);
      metrics.consumerAckPending.set({ consumer: label }, Number.NaN);
      continue;
    }
    metrics.consumerLag.set({ consumer: label }, look.pending);
    metrics.consumerAckPending.set({ consumer: label }, look.ackPending);
  }
}

/** Why the HTTP server could not listen, in the settings' words (PORT, HOST), when it is one of theirs. */
function listenError(error: NodeJS.ErrnoException, config: Config): Error {
  switch (error.code) {
    case 'EADDRINUSE':
      return new ConfigError(`PORT=${config.port} is already in use on ${config.host}: stop what listens there, or choose another port with PORT`);
    case 'EACCES':
      return new ConfigError(`PORT=${config.port} needs privileges on ${config.host}: choose a port above 1023 with PORT`);
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new ConfigError(`HOST=${config.host} is not an address of this machine (${error.code}): use 127.0.0.1, 0.0.0.0 or one of its own addresses`);
    default:
      return error;
  }
}
