// What `riskstream start` prints once it runs: what this process serves and how to use it. Its
// secrets (demo users' passwords, a generated API key) are printed only to a terminal; when the
// output is not one — a log file, journald, a container's log — they go to a file readable by the
// owner alone, and the banner says where, so that no secret reaches a log.
import { closeSync, fchmodSync, openSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { makeFolder } from '../core/index.js';
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
  readonly noDashboardUsers: boolean;
  /** RISKSTREAM_DATA_DIR: where the secrets go when the output is not a terminal. */
  readonly dataDir: string;
};

/** Secrets kept out of the output, for a file of the owner's alone. */
export type SecretsFile = { readonly path: string; readonly lines: readonly string[] };

export type Banner = { readonly text: string; readonly secrets: SecretsFile | null };

export const SECRETS_FILE = 'demo-credentials.txt';

export function secretsPath(dataDir: string): string {
  return join(dataDir, SECRETS_FILE);
}

function userLines(users: readonly CreatedUser[]): string[] {
  return users.map((u) => `      ${u.username.padEnd(11)} ${u.password}   (${u.roles.join(', ')})`);
}

function fileUserLines(users: readonly CreatedUser[]): string[] {
  return users.map((u) => `user ${u.username} ${u.password} (${u.roles.join(', ')})`);
}

/** The banner, with its secrets in it (`toTerminal`) or set aside for the secrets file. */
export function bannerOf(address: string, facts: BannerFacts, toTerminal: boolean, now: Date = new Date()): Banner {
  const { apiKey, generated, simulatorRate, customers, dashboard, ingest, demoUsers } = facts;
  const path = secretsPath(facts.dataDir);
  const secrets: string[] = [];
  if (!toTerminal && generated && ingest) secrets.push(`api key: ${apiKey}`);
  if (!toTerminal) secrets.push(...fileUserLines(demoUsers));
  const aside = secrets.length > 0;
  const usersText =
    demoUsers.length === 0
      ? []
      : toTerminal
        ? ['    demo users (passwords shown once; change them with `riskstream users passwd <name>`):', ...userLines(demoUsers)]
        : [`    demo users ${demoUsers.map((u) => u.username).join(', ')}: their passwords are in ${path} (readable by you only; not printed, as this output is not a terminal)`];
  const keyText = !ingest
    ? []
    : !generated
      ? ['    API key  from RISKSTREAM_API_KEY']
      : toTerminal
        ? [`    API key  ${apiKey}   (generated for this run; set RISKSTREAM_API_KEY to choose one)`]
        : [`    API key  in ${path} (generated for this run; set RISKSTREAM_API_KEY to choose one)`];
  const keyHeader = !generated ? '$RISKSTREAM_API_KEY' : toTerminal ? apiKey : `$(sed -n 's/^api key: //p' '${path}')`;
  const lines = [
    '',
    `  riskstream is running at ${address}`,
    ...(dashboard ? [`    dashboard ${address}/    API docs ${address}/api/docs`] : []),
    ...usersText,
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
  return { text: lines.join('\n') + '\n', secrets: aside ? { path, lines: [`# riskstream ${now.toISOString()}: secrets of this start, kept out of its output (not a terminal)`, ...secrets] } : null };
}

/** The notice when NATS lost its store and the demo users were created again with new passwords. */
export function recreatedUsersNotice(users: readonly CreatedUser[], dataDir: string, toTerminal: boolean, now: Date = new Date()): Banner {
  if (toTerminal) return { text: ['', '  NATS lost its store: the demo users were created again (passwords shown once):', ...userLines(users), ''].join('\n') + '\n', secrets: null };
  const path = secretsPath(dataDir);
  return {
    text: `\n  NATS lost its store: the demo users were created again; their new passwords are in ${path}\n`,
    secrets: { path, lines: [`# riskstream ${now.toISOString()}: the demo users created again`, ...fileUserLines(users)] },
  };
}

/**
 * Writes secrets to their file, readable and writable by the owner only: a new start replaces it
 * (its API key and users are this start's), a later notice appends.
 */
export function writeSecrets(file: SecretsFile, append: boolean): void {
  makeFolder(dirname(file.path), 'RISKSTREAM_DATA_DIR');
  const fd = openSync(file.path, append ? 'a' : 'w', 0o600);
  try {
    fchmodSync(fd, 0o600);
    writeSync(fd, file.lines.join('\n') + '\n');
  } finally {
    closeSync(fd);
  }
}
