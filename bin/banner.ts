// What `riskstream start` prints once it runs: what this process serves and how to use it. Its
// secrets (demo users' passwords, a generated API key) are printed only to a terminal; when the
// output is not one — a log file, journald, a container's log — they are in files readable by the
// owner alone, and the banner says where, so that no secret reaches a log. Nothing still valid is
// ever overwritten: the demo users' passwords are appended (the users outlive a restart, in NATS),
// and the generated API key is one per data folder, the same at every start and for every process
// that shares the folder (a second process with a new key had made the first one's answer 401).
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, fchmodSync, linkSync, openSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ConfigError, createFileOnce, makeFolder } from '../core/index.js';
import type { CreatedUser } from '../dashboard/server/auth/index.js';

export type BannerFacts = {
  readonly apiKey: string;
  readonly generated: boolean;
  readonly simulatorRate: number;
  readonly customers: number;
  /** The api role runs here (the dashboard). */
  readonly dashboard: boolean;
  /** The ingest role runs here (the HTTP gateway takes events). */
  readonly ingest: boolean;
  readonly demoUsers: readonly CreatedUser[];
  /** Demo users an earlier start created (their passwords were shown or written then). */
  readonly earlierDemoUsers: readonly string[];
  readonly noDashboardUsers: boolean;
  /** RISKSTREAM_DATA_DIR: where the secrets go when the output is not a terminal. */
  readonly dataDir: string;
  /** RISKSTREAM_NAMESPACE, named in the secrets file: `reset` removes that namespace's passwords alone. */
  readonly namespace: string;
};

/** Secrets kept out of the output, for a file of the owner's alone. */
export type SecretsFile = { readonly path: string; readonly lines: readonly string[] };

export type Banner = { readonly text: string; readonly secrets: SecretsFile | null };

export const SECRETS_FILE = 'demo-credentials.txt';

/** The demo API key of a data folder: generated at its first start in demo mode, kept since. */
export const DEMO_API_KEY_FILE = 'demo-api-key';

export function secretsPath(dataDir: string): string {
  return join(dataDir, SECRETS_FILE);
}

export function demoApiKeyPath(dataDir: string): string {
  return join(dataDir, DEMO_API_KEY_FILE);
}

/**
 * The data folder's demo API key, created (owner-only) when it has none. Two processes starting at
 * once agree: the key is written aside and linked into place, which only one of them can do. A key
 * already there is read without writing anything, so that a start on a full disk gets past it (the
 * roles that need no data folder, `--roles ingest,processors`, keep deciding).
 */
export function demoApiKey(dataDir: string): string {
  const path = demoApiKeyPath(dataDir);
  makeFolder(dataDir, 'RISKSTREAM_DATA_DIR');
  // whole or missing to every reader, even on a full disk or with two processes starting at once
  if (!existsSync(path)) createFileOnce(path, `rsk_${randomBytes(18).toString('base64url')}\n`);
  const key = readFileSync(path, 'utf8').trim();
  if (!/^[\x21-\x7e]{16,}$/.test(key) || key.includes(',')) {
    throw new ConfigError(`${path} does not hold an API key (16 or more characters on one line): delete it to have a new one generated, or set RISKSTREAM_API_KEY`);
  }
  return key;
}

/** The line that opens each start's block of the secrets file; `forgetDemoCredentials` reads the namespace back from it. */
function secretsHeader(now: Date, namespace: string): string {
  return `# riskstream ${now.toISOString()} namespace ${namespace}`;
}

function userLines(users: readonly CreatedUser[]): string[] {
  return users.map((u) => `      ${u.username.padEnd(11)} ${u.password}   (${u.roles.join(', ')})`);
}

function fileUserLines(users: readonly CreatedUser[]): string[] {
  return users.map((u) => `user ${u.username} ${u.password} (${u.roles.join(', ')})`);
}

/** The part of process.stdout and process.stderr the banner uses (a pipe's stream has no isTTY). */
export type BannerStream = { readonly isTTY?: boolean | undefined; write(text: string): unknown };

/**
 * Where the start banner goes, and whether it may hold its secrets: stdout, or stderr with JSON
 * logs (stdout is then a log collector's, one JSON object a line). Secrets only when that very
 * stream is a terminal: `LOG_FORMAT=json riskstream start 2>start.log` at a terminal writes the
 * banner to the file, which must not get the passwords because stdout happens to be a terminal.
 */
export function bannerTarget(logFormat: 'json' | 'pretty', stdout: BannerStream, stderr: BannerStream): { readonly out: BannerStream; readonly toTerminal: boolean } {
  const out = logFormat === 'json' ? stderr : stdout;
  return { out, toTerminal: out.isTTY === true };
}

/** The banner, with its secrets in it (`toTerminal`) or set aside for the secrets file. */
export function bannerOf(address: string, facts: BannerFacts, toTerminal: boolean, now: Date = new Date()): Banner {
  const { apiKey, generated, simulatorRate, customers, dashboard, ingest, demoUsers, earlierDemoUsers } = facts;
  const path = secretsPath(facts.dataDir);
  const keyPath = demoApiKeyPath(facts.dataDir);
  const secrets = toTerminal ? [] : fileUserLines(demoUsers);
  const usersText =
    demoUsers.length > 0
      ? toTerminal
        ? ['    demo users (passwords shown once; change them with `riskstream users passwd <name>`):', ...userLines(demoUsers)]
        : [`    demo users ${demoUsers.map((u) => u.username).join(', ')}: their passwords are in ${path} (readable by you only; not printed, as this output is not a terminal)`]
      : [];
  const earlierText =
    earlierDemoUsers.length > 0
      ? [
          `    demo users ${earlierDemoUsers.join(', ')} exist from an earlier start: their passwords were shown then at a terminal, or are in ${path} (the latest lines count);`,
          '      `riskstream users passwd <name>` sets a new one',
        ]
      : [];
  const keyText = !ingest
    ? []
    : !generated
      ? ['    API key  from RISKSTREAM_API_KEY']
      : toTerminal
        ? [`    API key  ${apiKey}   (generated for this data folder, the same at every start, kept in ${keyPath}; set RISKSTREAM_API_KEY to choose one)`]
        : [`    API key  in ${keyPath} (generated for this data folder, the same at every start; set RISKSTREAM_API_KEY to choose one)`];
  const keyHeader = !generated ? '$RISKSTREAM_API_KEY' : toTerminal ? apiKey : `$(cat '${keyPath}')`;
  const lines = [
    '',
    `  riskstream is running at ${address}`,
    ...(dashboard ? [`    dashboard ${address}/    API docs ${address}/api/docs`] : []),
    ...usersText,
    ...earlierText,
    ...(dashboard && facts.noDashboardUsers ? ['    no dashboard users yet: add one with `npx riskstream users add <name> --role admin`'] : []),
    `    health   ${address}/healthz`,
    `    metrics  ${address}/metrics`,
    ...keyText,
    simulatorRate > 0
      ? `    simulator feeding ${simulatorRate} events/s from a bank of ${customers.toLocaleString('en-US')} customers (RISKSTREAM_SIMULATOR_RATE=0 turns it off)`
      : '    simulator off',
    '',
    ...(ingest
      ? [
          '  Send an event' + (generated ? ':' : ' (with RISKSTREAM_API_KEY exported in your shell):'),
          `    curl -s -X POST '${address}/v1/events?wait=decision' -H 'content-type: application/json' \\`,
          `      -H "x-api-key: ${keyHeader}" \\`,
          `      -d '{"v":1,"kind":"payment","ts":"${now.toISOString()}","type":"transfer","channel":"mobile","amount":"1250.00","currency":"USD","debtor":{"accountId":"ACC-1"},"creditor":{"accountId":"ACC-2","country":"GB"}}'`,
          '',
        ]
      : []),
  ];
  return {
    text: lines.join('\n') + '\n',
    secrets: secrets.length > 0 ? { path, lines: [`${secretsHeader(now, facts.namespace)}: the demo users this start created (pid ${process.pid}), kept out of its output (not a terminal)`, ...secrets] } : null,
  };
}

/** The notice when NATS lost its store and the demo users were created again with new passwords. */
export function recreatedUsersNotice(users: readonly CreatedUser[], dataDir: string, namespace: string, toTerminal: boolean, now: Date = new Date()): Banner {
  if (toTerminal) return { text: ['', '  NATS lost its store: the demo users were created again (passwords shown once):', ...userLines(users), ''].join('\n') + '\n', secrets: null };
  const path = secretsPath(dataDir);
  return {
    text: `\n  NATS lost its store: the demo users were created again; their new passwords are in ${path}\n`,
    secrets: { path, lines: [`${secretsHeader(now, namespace)}: the demo users created again`, ...fileUserLines(users)] },
  };
}

/**
 * Adds secrets to their file, readable and writable by the owner only. Never replaces it: the
 * passwords of demo users an earlier start created stay valid, and are shown nowhere else.
 */
export function writeSecrets(file: SecretsFile): void {
  makeFolder(dirname(file.path), 'RISKSTREAM_DATA_DIR');
  const fd = openSync(file.path, 'a', 0o600);
  try {
    fchmodSync(fd, 0o600);
    writeSync(fd, file.lines.join('\n') + '\n');
  } finally {
    closeSync(fd);
  }
}

/** What `forgetDemoCredentials` did to the secrets file. */
export type ForgottenCredentials = { readonly removedBlocks: number; readonly keptBlocks: number };

/**
 * Removes a namespace's demo passwords from the secrets file (`riskstream reset`: its users are
 * deleted, and their passwords must not outlive them), with the blocks that name no namespace
 * (written before blocks named one: most likely the same users). Other namespaces' blocks stay;
 * the file goes when none is left. The file is rewritten aside and renamed into place, 0600.
 */
export function forgetDemoCredentials(dataDir: string, namespace: string): ForgottenCredentials {
  const path = secretsPath(dataDir);
  const blocks = secretsBlocks(path);
  const kept = blocks.filter((block) => !isForgotten(block, namespace));
  if (blocks.length === 0) return { removedBlocks: 0, keptBlocks: 0 };
  if (kept.length === 0) {
    unlinkSync(path);
  } else if (kept.length < blocks.length) {
    const aside = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
    writeFileSync(aside, kept.map((block) => block.lines.join('\n') + '\n').join(''), { mode: 0o600, flag: 'wx' });
    renameSync(aside, path);
  }
  return { removedBlocks: blocks.length - kept.length, keptBlocks: kept.length };
}

/** The blocks of the secrets file `forgetDemoCredentials` would remove (for `reset`'s listing). */
export function demoCredentialsOf(dataDir: string, namespace: string): number {
  return secretsBlocks(secretsPath(dataDir)).filter((block) => isForgotten(block, namespace)).length;
}

type SecretsBlock = { readonly namespace: string | null; readonly lines: string[] };

function isForgotten(block: SecretsBlock, namespace: string): boolean {
  return block.namespace === null || block.namespace === namespace;
}

/** The file's blocks, each opened by a `# riskstream` line; lines before the first form a block of no namespace. None without a file. */
function secretsBlocks(path: string): SecretsBlock[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const blocks: SecretsBlock[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (line.startsWith('# riskstream ') || blocks.length === 0) {
      const named = /^# riskstream \S+ namespace ([a-z][a-z0-9_]*):/.exec(line);
      blocks.push({ namespace: named?.[1] ?? null, lines: [line] });
    } else {
      blocks.at(-1)!.lines.push(line);
    }
  }
  return blocks;
}
