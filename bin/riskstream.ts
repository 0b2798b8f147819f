#!/usr/bin/env node
// The `riskstream` command line: start, doctor, simulate, replay, import, bench, reset, dead-letters, backup, restore, users.
//
// Only what every command needs is loaded here: commander, the options' parsers, the help texts and
// a few of core's light files (config, fx, paths, envelope) rather than core/index.js, which loads
// every client, validator and rule. A command loads its own module when it runs (`await import` in
// its action), so `--version`, `--help` and `<command> --help` load none, and each command only
// its own: `doctor` never loads the HTTP server or the processors (bin/cli-startup.test.ts).
import { Command, Option } from 'commander';
import { loadConfig, fxRatesFromEnv } from '../core/config.js';
import { setFxRates } from '../core/fx.js';
import { PACKAGE_VERSION } from './version.js';
import { ROOT_HELP_TEXT, startHelpText } from './start-help.js';
import type { BenchCommandOptions } from './bench.js';
import { DATASET_FORMATS, type DatasetFormat } from './dataset-formats.js';
import { atLeastOne, envelopeSize, fraction, isoTimeWithZone, oneOf, wholeNumber } from './cli-options.js';
import { quietOnClosedPipe } from './closed-pipe.js';

/**
 * The command whose action runs, as typed (`riskstream users add`): a mistake in its command line
 * found by the action (`simulate --rate 0`) names its help, as commander's own errors do.
 */
let running = 'riskstream';

function commandPathOf(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c !== null; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

const program = new Command()
  .name('riskstream')
  .description('Real-time payments risk streaming: ingest -> NATS JetStream -> processors -> ClickHouse')
  .version(PACKAGE_VERSION, '-V, --version', 'print the version')
  // every command that checks events (import, replay, simulate, start) values them with the same
  // USD rates, RISKSTREAM_FX_RATES included: a currency the operator added is taken everywhere
  // (core/fx.js is the module core/index.js exports again: the commands, loaded after this, see these rates)
  .hook('preAction', () => setFxRates(fxRatesFromEnv()))
  .hook('preAction', (_root, command) => void (running = commandPathOf(command)));
program.addHelpText('after', ROOT_HELP_TEXT);

program
  .command('start')
  .description('start riskstream: every role in one process, or the roles you name')
  .option('--roles <list>', 'comma-separated roles: ingest,processors,writer,api,simulator (default: all)')
  .addHelpText('after', startHelpText)
  .action(async (opts: { roles?: string }) => {
    const { runStartCommand } = await import('./start.js');
    await runStartCommand(opts);
  });

program
  .command('doctor')
  .description('check NATS, JetStream, Redis and ClickHouse, then the namespace (processes, streams, consumers), and say what is wrong')
  .action(async () => {
    const { runDoctor } = await import('./doctor.js');
    process.exitCode = (await runDoctor(loadConfig())) ? 0 : 1;
  });

program
  .command('simulate')
  .description('emit simulated traffic: onto the bus (default), to an ingest URL, or as NDJSON to a file')
  .option('--rate <n>', 'events per second', wholeNumber, 500)
  .option('--seed <n>', 'world seed (the same seed, --start, --rate and --customers give the same stream)', wholeNumber, 42)
  .option('--customers <n>', 'customers of the simulated bank (default: sized from --rate, 20,000–500,000)', wholeNumber)
  .option('--count <n>', 'stop after this many events (1 or more)', atLeastOne)
  .option('--duration <s>', 'stop after this many seconds, 1 or more (with --out: of event time)', atLeastOne)
  .option('--out <file>', 'write NDJSON to this file ("-" for stdout) instead of sending, as fast as it is made (event time still advances at --rate)')
  .option('--url <base>', 'POST batches to this ingest base URL (uses RISKSTREAM_API_KEY)')
  .option('--start <time>', 'event time of the first event (ISO 8601 with Z or an offset); with --seed it fixes the stream byte for byte', isoTimeWithZone)
  .option('--opening', 'open as the demo does: one scenario of every pattern, one every 5 s of event time, fraud first')
  .action(async (opts) => {
    const { runSimulateCommand } = await import('./simulate.js');
    await runSimulateCommand(loadConfig(), opts);
  });

program
  .command('replay <file>')
  .description('send a file of events (NDJSON, one per line; - for stdin) onto the bus or to an ingest URL, naming each line it refuses')
  .option('--url <base>', 'POST batches to this ingest base URL (uses RISKSTREAM_API_KEY) instead of publishing onto the bus')
  .option('--rate <n>', 'events per second at most, 1 or more (default: as fast as they are acknowledged)', atLeastOne)
  .option('--batch <n>', 'events per publish or HTTP batch (1 to 10,000)', atLeastOne, 500)
  .option('--wait [seconds]', 'then wait until the processors have decided every event (default: at most 600 s)', atLeastOne)
  .option('--evaluate', "then compare the events' decisions and alerts with their labels: precision and recall per domain, the fraud score's ROC AUC and average precision, alerts per pattern (waits as --wait; with --url, watches the decisions of NATS_URL's RISKSTREAM_NAMESPACE)")
  .option('--json', 'also print the summary (and the evaluation) as one JSON object on the last line of stdout')
  .action(async (file: string, opts: { url?: string; rate?: number; batch: number; wait?: number | boolean; evaluate?: boolean; json?: boolean }) => {
    const { consoleReplayOutput, runReplay } = await import('./replay.js');
    const waitFor = opts.wait === undefined || opts.wait === false ? undefined : opts.wait === true ? 600 : opts.wait;
    const waitSeconds = waitFor ?? (opts.evaluate ? 600 : undefined);
    // Ctrl-C stops reading: what was sent is still waited for and evaluated; a second one quits at once
    const stop = new AbortController();
    const onInterrupt = (): void => {
      if (stop.signal.aborted) process.exit(130);
      stop.abort();
      process.stderr.write('\nreplay: stopping after this batch; what was sent is still waited for (Ctrl-C again to quit at once)\n');
    };
    process.on('SIGINT', onInterrupt);
    const summary = await runReplay(
      loadConfig(),
      { file, url: opts.url, rate: opts.rate, batch: opts.batch, waitSeconds, evaluate: opts.evaluate === true, signal: stop.signal },
      consoleReplayOutput(),
    ).finally(() => process.off('SIGINT', onInterrupt));
    if (opts.json) process.stdout.write(JSON.stringify(summary) + '\n');
    process.exitCode = summary.stoppedAtLine !== undefined ? 130 : summary.refused > 0 || summary.decided === false ? 1 : 0;
  });

program
  .command('import')
  .argument('<format>', '', oneOf(DATASET_FORMATS, 'format'))
  .argument('<file>')
  .description(`turn a public labelled data set (${DATASET_FORMATS.join(', ')}) into events with their ground truth in labels, as NDJSON for replay --evaluate`)
  .option('--out <file>', 'write the events here ("-" for stdout)', '-')
  .option('--start <time>', "where the data set's time starts (ISO 8601 with Z or an offset): PaySim's first hour (default: 744 hours before the current hour, so that its month has just ended), IEEE-CIS's first day (default: 2017-12-01), the first row of the others (default: the file's own times)", isoTimeWithZone)
  .option('--currency <code>', "PaySim's currency (its amounts name none)", 'USD')
  .option('--patterns <file>', "amlworld: the laundering attempts by typology (default: <name>_Patterns.txt beside <name>_Trans.csv, when there)")
  .option('--identity <file>', 'ieee-cis: the devices by transaction (default: <name>_identity.csv beside <name>_transaction.csv, when there)')
  .option('--limit <n>', 'read at most this many rows (1 or more)', atLeastOne)
  .option('--id-prefix <prefix>', "event ids start with <prefix>- and go on with the row's line or the data set's own id (default: the format and the file's base name, e.g. paysim-PS_2017_log)")
  .action(async (format: DatasetFormat, file: string, opts: { out: string; start?: number; currency: string; patterns?: string; identity?: string; limit?: number; idPrefix?: string }) => {
    const { consoleImportOutput, importSummaryLines, runImport } = await import('./import.js');
    const output = consoleImportOutput();
    const summary = await runImport(
      {
        format,
        file,
        out: opts.out,
        currency: opts.currency,
        ...(opts.start !== undefined ? { startMs: opts.start } : {}),
        ...(opts.patterns !== undefined ? { patterns: opts.patterns } : {}),
        ...(opts.identity !== undefined ? { identity: opts.identity } : {}),
        ...(opts.limit !== undefined ? { limit: opts.limit } : {}),
        ...(opts.idPrefix !== undefined ? { idPrefix: opts.idPrefix } : {}),
      },
      output,
    );
    for (const line of importSummaryLines(summary, opts.out)) output.report(line);
    process.exitCode = summary.written > 0 ? 0 : 1;
  });

program
  .command('bench')
  .description('drive a running riskstream at a fixed rate and report throughput and latency')
  .option('--rate <n>', 'events per second', atLeastOne, 10_000)
  .option('--duration <s>', 'seconds of sending', atLeastOne, 60)
  .option('--warmup <s>', 'seconds of sending at the same rate first, not counted in the figures (0: none)', wholeNumber, 5)
  .addOption(new Option('--via <path>', 'entry point').choices(['nats', 'http', 'http-batch']).default('nats'))
  .option('--batch-size <n>', 'events per HTTP batch (http-batch; 1 or more)', atLeastOne, 200)
  .option('--envelope <n>', 'via nats: events per envelope at most (1–256; 1 sends one message per event)', envelopeSize, 1)
  .addOption(new Option('--envelope-scope <scope>', 'via nats with --envelope: one envelope per kind (events of every partition, on the mixed subject) or per partition').choices(['kind', 'partition']).default('kind'))
  .option('--linger <ms>', 'via nats with --envelope: how long an envelope waits for more events (0: what is due at one tick)', wholeNumber, 0)
  .option('--connections <n>', 'HTTP connections (1 or more)', atLeastOne, 64)
  .option('--grace <s>', 'seconds to wait for the last decisions; latency and throughput count those decided by then', wholeNumber, 15)
  .option('--drain <s>', 'then, seconds at most to wait for decisions still due while the processors work off a backlog: they count as late, and only events never decided as lost (0: no wait)', wholeNumber, 600)
  .option('--url <base>', 'ingest base URL for --via http (default: http://127.0.0.1:$PORT, 8080 when PORT is unset or empty)')
  .option('--pid <pid>', 'riskstream process to sample memory from', atLeastOne)
  .option('--spawn', 'start a fresh riskstream (own namespace and data folder) for the run and stop it after')
  .option('--roles <list>', 'with --spawn: the roles of the spawned riskstream (default: all; e.g. ingest,processors to leave storage out)')
  .option('--suite', 'with --spawn: the recorded suite (NATS at --rate, then HTTP single and batch)')
  .option('--record', 'append the results to BENCHMARKS.md')
  .option('--json', 'print one JSON object with the results on the last line')
  .option('--alert-share <fraction>', 'share of events that are card-testing payments raising alerts (0–1)', fraction, 0.01)
  .option('--ws-clients <n>', 'dashboard WebSocket clients measuring alert delivery during the NATS run (needs a user: --spawn makes one; else RISKSTREAM_ADMIN_USER/PASSWORD)', wholeNumber, 0)
  .option('--browser', 'also measure alert delivery into the dashboard in headless Chromium')
  .action(async (opts: Omit<BenchCommandOptions, 'url'> & { url?: string }) => {
    const { runBenchCommand } = await import('./bench.js');
    const config = loadConfig();
    // PORT by the configuration's own rule (empty is unset, digits only), not process.env.PORT as it is
    process.exitCode = await runBenchCommand(config, { ...opts, url: opts.url ?? `http://127.0.0.1:${config.port}` });
  });

program
  .command('reset')
  .description("delete everything of the namespace: its streams and KV buckets, Redis keys and ClickHouse database (lists what without --yes)")
  .option('--yes', 'delete (refused while a process of the namespace runs)')
  .action(async (opts: { yes?: boolean }) => {
    const { runReset } = await import('./reset.js');
    await runReset(loadConfig(), { yes: opts.yes === true }, (line) => process.stdout.write(line + '\n'));
  });

program
  .command('dead-letters')
  .description('list the dead letters of the namespace (from its dead-letter stream, kept 30 days), newest first; --json prints each with its payload, to fix and send again with replay')
  .option('--since <when>', 'from this long ago (15m, 2h, 7d; at most 3650d) or this ISO 8601 time with Z or an offset', '24h')
  .option('--code <code>', 'only this error code (e.g. RS_ERR_BUS_SCHEMA)')
  .addOption(new Option('--source <source>', 'only those of this source').choices(['processors', 'writer']))
  .option('--limit <n>', 'the newest this many at most (1 or more)', atLeastOne, 50)
  .option('--json', 'one JSON object per letter (payload included) instead of the summary')
  .action(async (opts: { since: string; code?: string; source?: string; limit: number; json?: boolean }) => {
    const { runDeadLettersCommand } = await import('./dead-letters.js');
    await runDeadLettersCommand(loadConfig(), opts, (line) => process.stdout.write(line + '\n'));
  });

program
  .command('backup [file]')
  .description("write the namespace's NATS KV buckets (dashboard users, cases, lists, configuration) to a file (- for stdout; default riskstream-backup-<namespace>-<time>.ndjson)")
  .action(async (file: string | undefined) => {
    const { runBackupCommand } = await import('./backup.js');
    await runBackupCommand(loadConfig(), file, (line) => process.stdout.write(line + '\n'));
  });

program
  .command('restore <file>')
  .description('put the keys of a backup back (- for stdin); keys that exist are kept unless --replace')
  .option('--replace', "put the backup's values over keys that exist")
  .action(async (file: string, opts: { replace?: boolean }) => {
    const { runRestoreCommand } = await import('./backup.js');
    await runRestoreCommand(loadConfig(), file, { replace: opts.replace === true }, (line) => process.stdout.write(line + '\n'));
  });

const users = program
  .command('users')
  .description('manage dashboard users (stored in NATS KV; sessions and lock-outs in Redis)')
  // a user not found is most often one of another namespace: say which settings choose it
  .addHelpText(
    'after',
    '\nThe users are those of the namespace RISKSTREAM_NAMESPACE (default rs) on the NATS at NATS_URL,\n' +
      'their sessions and lock-outs in the Redis at REDIS_URL: set these as for the riskstream the\n' +
      'users sign in to. In a namespace that has not started, every command but add refuses; add\n' +
      'creates its users bucket alone.',
  );
const print = (line: string): void => void process.stdout.write(line + '\n');
const usersCommands = (): Promise<typeof import('./users.js')> => import('./users.js');

users
  .command('add <username>')
  .description('create a user; the password is prompted at a terminal, read with --password-stdin, or else generated and printed')
  // no default: commander would print '(default: [])', which read as if no role were needed
  .option('--role <role>', 'a role, at least one (repeat for more): admin, risk_monitor, compliance_officer, compliance_supervisor, credit_officer, auditor', (v: string, all: string[] | undefined) => [...(all ?? []), v])
  .option('--display-name <name>', 'the name the dashboard shows')
  .option('--password-stdin', 'read the password from stdin')
  .action(async (username: string, opts: { role?: string[]; displayName?: string; passwordStdin?: boolean }) => {
    const { checkNewUsername, parseRoleOptions, readPassword, usersAdd, withUsersContext } = await usersCommands();
    const roles = parseRoleOptions(opts.role ?? []);
    checkNewUsername(username);
    // before the first start it creates the users bucket only (bin/users.ts), and says so
    const notice = (line: string): void => void process.stderr.write(`riskstream: ${line}\n`);
    // the password is asked for once the name is known to be free (usersAdd)
    const password = (): Promise<string | null> => readPassword(opts);
    await withUsersContext(loadConfig(), (ctx) => usersAdd(ctx, username, { roles, displayName: opts.displayName, password }, print), { mode: 'create-bucket', notice });
  });

users
  .command('list')
  .description('list users, their roles, second factor and state')
  .action(async () => {
    const { usersList, withUsersContext } = await usersCommands();
    await withUsersContext(loadConfig(), (ctx) => usersList(ctx, print));
  });

users
  .command('passwd <username>')
  .description("set a user's password (prompted, --password-stdin, or generated) and end their sessions")
  .option('--password-stdin', 'read the password from stdin')
  .action(async (username: string, opts: { passwordStdin?: boolean }) => {
    const { readPassword, usersPasswd, withUsersContext } = await usersCommands();
    // asked for once the user is found (usersPasswd), not before
    await withUsersContext(loadConfig(), (ctx) => usersPasswd(ctx, username, () => readPassword(opts), print));
  });

users
  .command('reset-totp <username>')
  .description("remove a user's second factor so that they can enrol again, and end their sessions")
  .action(async (username: string) => {
    const { usersResetTotp, withUsersContext } = await usersCommands();
    await withUsersContext(loadConfig(), (ctx) => usersResetTotp(ctx, username, print));
  });

users
  .command('disable <username>')
  .description('stop a user from signing in, and end their sessions')
  .action(async (username: string) => {
    const { usersSetDisabled, withUsersContext } = await usersCommands();
    await withUsersContext(loadConfig(), (ctx) => usersSetDisabled(ctx, username, true, print));
  });

users
  .command('enable <username>')
  .description('let a disabled user sign in again')
  .action(async (username: string) => {
    const { usersSetDisabled, withUsersContext } = await usersCommands();
    await withUsersContext(loadConfig(), (ctx) => usersSetDisabled(ctx, username, false, print));
  });

users
  .command('unlock <username>')
  .description('lift a sign-in lock-out after repeated failures')
  .action(async (username: string) => {
    const { usersUnlock, withUsersContext } = await usersCommands();
    await withUsersContext(loadConfig(), (ctx) => usersUnlock(ctx, username, print));
  });

/**
 * A mistake in an option or argument prints commander's one-line error and, instead of the whole
 * help (pages of it for bench), one line naming the help of the command that was mistaken (README).
 */
function hintAfterErrors(command: Command, path: string): void {
  command.showHelpAfterError(`(see ${path} --help)`);
  for (const sub of command.commands) hintAfterErrors(sub, `${path} ${sub.name()}`);
}
hintAfterErrors(program, 'riskstream');

// `riskstream users list | head -1`: the reader is gone, which is no failure
quietOnClosedPipe();

// cli-failure.js loads NATS and core for the errors of a start: only once something failed
program.parseAsync().catch(async (error: unknown) => {
  const { failureText } = await import('./cli-failure.js');
  process.stderr.write(`riskstream: ${failureText(error, running)}\n`);
  process.exit(1);
});

