// `riskstream start`: every role in one process, or the roles named; the banner, and a stop that
// drains. Loaded only when the command is start (bin/riskstream.ts).
import { createLogger, loadConfig, parseRoles } from '../core/index.js';
import { startSystem } from './system.js';
import { simulatorCustomers } from '../ingest/simulator/index.js';
import { bannerOf, bannerTarget, demoApiKey, recreatedUsersNotice, writeSecrets, type Banner, type BannerFacts } from './banner.js';
import { DEMO_USERS } from '../dashboard/server/auth/index.js';
import { commandLineMistake, dataFolderInUseWhileStarting, natsTimeoutWhileStarting, noSpaceWhileStarting } from './cli-failure.js';

export type StartCommandOptions = { readonly roles?: string };

/** --roles, whose mistake is the command line's: said with where start's help is. */
function rolesOf(list: string | undefined): ReturnType<typeof parseRoles> {
  try {
    return parseRoles(list);
  } catch (error) {
    throw commandLineMistake(new Error(`--roles ${list}: ${(error as Error).message}`, { cause: error }));
  }
}

/** Starts the roles and stays up until a signal, then drains and exits. */
export async function runStartCommand(opts: StartCommandOptions): Promise<void> {
  const loaded = loadConfig();
  const roles = rolesOf(opts.roles);
  // demo mode: one key per data folder, the same at every start and for every process sharing it (bin/banner.ts)
  let demoKey: string | null = null;
  try {
    demoKey = loaded.apiKeyGenerated ? demoApiKey(loaded.dataDir) : null;
  } catch (error) {
    throw noSpaceWhileStarting(error, loaded.dataDir, false);
  }
  const config = demoKey === null ? loaded : { ...loaded, apiKey: demoKey, apiKeys: [demoKey] };
  const logger = createLogger(config.logLevel, undefined, undefined, config.logFormat);
  // A reader of the banner that goes away (`start | head`) must not stop a running system
  // without its drain (quietOnClosedPipe() would end the process): the banner is lost, no more.
  process.stdout.on('error', () => undefined);
  process.stderr.on('error', () => undefined);
  // With JSON logs stdout is for a log collector, one JSON object a line: the banner, text for a
  // person, goes to stderr then (a terminal shows both; `start > log.json` keeps it on screen).
  // Its secrets only when that stream is a terminal; to a log, a file of the owner's (bin/banner.ts).
  const { out: bannerOut, toTerminal } = bannerTarget(config.logFormat, process.stdout, process.stderr);
  const show = (banner: Banner): void => {
    if (banner.secrets) writeSecrets(banner.secrets);
    bannerOut.write(banner.text);
  };
  // A stop asked for while starting waits for the start to finish, then drains like any other
  // (without this the process died at once, its held messages waiting out the ack wait).
  let askedWhileStarting: { signal: string; at: number } | null = null;
  const whileStarting = (signal: string): void => {
    if (askedWhileStarting !== null) {
      if (Date.now() - askedWhileStarting.at < 2000) return;
      logger.warn('second signal while starting: exiting without draining');
      process.exit(1);
    }
    askedWhileStarting = { signal, at: Date.now() };
    logger.info({ signal }, 'stopping once riskstream has started (a second signal exits at once)');
  };
  process.on('SIGINT', whileStarting);
  process.on('SIGTERM', whileStarting);
  const system = await startSystem(config, roles, logger, {
    demoUsersRecreated: (users) => show(recreatedUsersNotice(users, config.dataDir, config.namespace, toTerminal)),
  }).catch((error: unknown) => {
    throw noSpaceWhileStarting(dataFolderInUseWhileStarting(natsTimeoutWhileStarting(error, config.natsUrl)), config.dataDir, config.clickhouseUrl !== undefined);
  });
  process.off('SIGINT', whileStarting);
  process.off('SIGTERM', whileStarting);
  const facts: BannerFacts = {
    apiKey: config.apiKey,
    generated: config.apiKeyGenerated,
    simulatorRate: roles.has('simulator') ? config.simulatorRate : 0,
    customers: simulatorCustomers(config),
    dashboard: roles.has('api'),
    ingest: roles.has('ingest'),
    demoUsers: system.demoUsers,
    // the demo users are seeded by the api role; those that were there already came from an earlier start
    earlierDemoUsers: roles.has('api') && config.demoUsers ? DEMO_USERS.map((u) => u.username).filter((name) => !system.demoUsers.some((u) => u.username === name)) : [],
    noDashboardUsers: system.noDashboardUsers,
    dataDir: config.dataDir,
    namespace: config.namespace,
  };
  show(bannerOf(system.address, facts, toTerminal));
  let firstSignalAt = 0;
  const shutdown = (signal: string): void => {
    // Some supervisors deliver one stop to the process and its group at once; only a signal
    // that comes later is a person asking to stop without draining.
    if (firstSignalAt > 0) {
      if (Date.now() - firstSignalAt < 2000) return;
      logger.warn('second signal: exiting without draining');
      process.exit(1);
    }
    firstSignalAt = Date.now();
    logger.info({ signal }, 'stopping: draining in-flight batches');
    // Nothing is lost by giving up: unacknowledged events are delivered again at the next start.
    setTimeout(() => {
      logger.error('stopping took longer than 60 s; exiting without finishing the drain');
      process.exit(1);
    }, 60_000).unref();
    system.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'stop failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  const asked = askedWhileStarting as { signal: string; at: number } | null;
  if (asked !== null) {
    shutdown(asked.signal);
  }
}
