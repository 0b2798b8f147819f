// How the command line ends when something goes wrong. A mistake in what it was given — a setting,
// an option, a file, a service that is not there — is one line saying what to change; anything else
// is a defect, printed with its stack for the report. A reader of stdout that goes away
// (`riskstream users list | head -1`) is neither: the command ends quietly (bin/closed-pipe.ts).
import { TimeoutError } from '@nats-io/nats-core';
import { diskSpaceOf, diskSpaceText, isDiskFullText, oneLine, safeUrl, ServiceUnavailableError } from '../core/index.js';

/**
 * The errors whose message is the whole story, by name rather than class: some come from other
 * folders (the dashboard's AdminEnvError, storage's data-folder lock), and a name survives a worker
 * thread and a second copy of a module where `instanceof` does not.
 */
const ONE_LINE_ERRORS: ReadonlySet<string> = new Set([
  // settings and services (core)
  'ConfigError',
  'ServiceUnavailableError',
  'RiskstreamError',
  // the commands' own
  'UsersCommandError',
  'ResetRefusedError',
  'ReplayError',
  'ImportError',
  'SimulateError',
  'BenchError',
  'BackupFileError',
  'DeadLettersCommandError',
  // start-up: RISKSTREAM_ADMIN_USER / _PASSWORD, RISKSTREAM_SECRETS_KEY or its file, the data folder
  'AdminEnvError',
  'SecretBoxError',
  'DataFolderInUseError',
  'DataFolderUnwritableError',
]);

/**
 * An error of any class can say that its message is for the user to act on, by carrying
 * `userMistake: true`, without being listed above.
 */
export const USER_MISTAKE = 'userMistake';

/**
 * An error about what the command line said (an option's value, options that do not go together),
 * found once the command ran on it rather than by commander: `failureText` adds where the command's
 * help is, as commander does for the mistakes it finds. A service that is not there is no such error.
 */
export const COMMAND_LINE_MISTAKE = 'commandLineMistake';

/** Marks an error as one about the command line (and so the user's to fix, in one line). */
export function commandLineMistake<E extends Error>(error: E): E {
  return Object.assign(error, { [USER_MISTAKE]: true, [COMMAND_LINE_MISTAKE]: true });
}

/** Whether the error is the user's to fix (one line) rather than a defect (with its stack). */
export function isUserMistake(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return ONE_LINE_ERRORS.has(error.name) || (error as Error & { [USER_MISTAKE]?: unknown })[USER_MISTAKE] === true;
}

/**
 * What to print after `riskstream: ` for a failed command. `command`: the one that ran, as typed
 * (`riskstream simulate`), for the help hint of a mistake in its command line.
 */
export function failureText(error: unknown, command?: string): string {
  if (isUserMistake(error)) {
    const onCommandLine = (error as Error & { [COMMAND_LINE_MISTAKE]?: unknown })[COMMAND_LINE_MISTAKE] === true;
    return `${(error as Error).message}${onCommandLine && command !== undefined ? `\n(see ${command} --help)` : ''}`;
  }
  return error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error);
}

/**
 * A JetStream request at start that NATS did not answer in time (a server overloaded, paused or
 * stopping after the connection was made) is a service that is not there, said in one line like
 * the others, not a defect with a stack: nothing was taken from the streams yet.
 */
export function natsTimeoutWhileStarting(error: unknown, natsUrl: string): unknown {
  if (!(error instanceof TimeoutError)) return error;
  return new ServiceUnavailableError(
    `NATS at ${safeUrl(natsUrl)} did not answer a JetStream request in time while riskstream was starting (it is overloaded, paused or stopping); nothing was lost. Check it with \`riskstream doctor\`, then start again.`,
  );
}

/**
 * A `start` refused because another process holds embedded chDB's data folder: the lock's message
 * says to stop that process or use a ClickHouse server; at a start there are two more ways out,
 * which are what someone starting a second riskstream usually wants.
 */
export function dataFolderInUseWhileStarting(error: unknown): unknown {
  if (!(error instanceof Error) || error.name !== 'DataFolderInUseError') return error;
  return Object.assign(
    new Error(
      `${error.message} To run a separate riskstream beside it, give this one its own RISKSTREAM_DATA_DIR, RISKSTREAM_NAMESPACE and PORT; ` +
        'to add processes to the running one, start them with roles that leave storage to it (--roles ingest,processors) and their own PORT.',
      { cause: error },
    ),
    { [USER_MISTAKE]: true },
  );
}

/**
 * A start that a full disk stopped (ENOSPC writing the data folder's files, or ClickHouse's
 * NOT_ENOUGH_SPACE creating its tables): one line naming the disk and what to do, rather than a
 * stack. `server`: CLICKHOUSE_URL is set, so ClickHouse's refusal is about the server's disk.
 */
export function noSpaceWhileStarting(error: unknown, dataDir: string, server: boolean): unknown {
  if (!(error instanceof Error) || isUserMistake(error)) return error;
  const code = (error as NodeJS.ErrnoException).code;
  const clickhouse = code !== 'ENOSPC' && isDiskFullText(error.message);
  if (code !== 'ENOSPC' && !clickhouse) return error;
  const reason = oneLine(error.message, 200);
  if (clickhouse && server) {
    return Object.assign(new Error(`the ClickHouse server's disk is full (${reason}): free space on it, then start again. Nothing was taken from the streams.`, { cause: error }), {
      [USER_MISTAKE]: true,
    });
  }
  const space = diskSpaceOf(dataDir);
  return Object.assign(
    new Error(
      `no space left on the disk of the data folder ${dataDir}${space === null ? '' : ` (${diskSpaceText(space)})`} while riskstream was starting (${reason}): ` +
        'free space there, or set RISKSTREAM_DATA_DIR to a folder on a disk with room, then start again. Nothing was taken from the streams.',
      { cause: error },
    ),
    { [USER_MISTAKE]: true },
  );
}
