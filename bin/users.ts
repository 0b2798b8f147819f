// `riskstream users …`: manage dashboard users from the command line (the way in before any admin
// exists, and the way back in when every admin is locked out).
import { RiskstreamError, countOf, connectBus, connectRedis, ensureKvBucket, names as namesOf, safeUrl, streamExists, type Bus, type Config, type Redis } from '../core/index.js';
import {
  createLoginThrottle,
  createSessionStore,
  createUserStore,
  loadSecretBox,
  generatePassword,
  normaliseUsername,
  passwordProblem,
  usernameProblem,
  type LoginThrottle,
  type SessionStore,
  type UserRecord,
  type UserStore,
} from '../dashboard/server/auth/index.js';
import { USER_ROLES, type UserRole } from '../dashboard/server/protocol.js';
import { commandLineMistake } from './cli-failure.js';
import { oneOf } from './cli-options.js';

export type Out = (line: string) => void;

/**
 * Where add and passwd get the password (readPassword: stdin, the terminal, or null to generate one).
 * Asked only once the command has found that it can go on, so that an operator who mistyped a name is
 * told before typing a password twice, not after.
 */
export type PasswordSource = () => Promise<string | null>;

/** What the user commands work on: the users bucket, and in Redis the sessions and lock-outs. */
export type UsersContext = { readonly namespace: string; readonly users: UserStore; readonly sessions: SessionStore; readonly throttle: LoginThrottle };

export class UsersCommandError extends Error {
  override readonly name = 'UsersCommandError';
}

/**
 * How a command meets a namespace without a users bucket (one that has not started: often a typo in
 * RISKSTREAM_NAMESPACE). `existing`: refused, nothing created, as dead-letters and backup do.
 * `create-bucket` (users add, so that the first admin can be made before the first start): the users
 * bucket alone is created (it reserves no storage), and `notice` says so; the streams, which reserve
 * gigabytes on the server, are left to the first start.
 */
export type UsersBucketAccess = { readonly mode: 'existing' } | { readonly mode: 'create-bucket'; readonly notice: (line: string) => void };

/** Connects to NATS and Redis as configured, runs the command, and closes the connections. */
export async function withUsersContext<T>(config: Config, run: (ctx: UsersContext) => Promise<T>, access: UsersBucketAccess = { mode: 'existing' }): Promise<T> {
  const names = namesOf(config.namespace);
  const bus = await connectBus(config.natsUrl, names, 'riskstream-users');
  let redis: Redis | undefined;
  try {
    await openUsersBucket(bus, config, access);
    redis = await connectRedis(config.redisUrl, 'riskstream-users');
    const ctx: UsersContext = {
      namespace: config.namespace,
      users: await createUserStore(bus, { secrets: loadSecretBox(config, false) }),
      sessions: createSessionStore(redis, names.redisPrefix),
      throttle: createLoginThrottle(redis, names.redisPrefix),
    };
    return await run(ctx);
  } finally {
    redis?.disconnect();
    await bus.nc.close();
  }
}

async function openUsersBucket(bus: Bus, config: Config, access: UsersBucketAccess): Promise<void> {
  const bucket = bus.names.kv.users;
  if (await streamExists(bus, `KV_${bucket}`)) return;
  const namespace = bus.names.namespace;
  if (access.mode === 'existing') {
    throw new UsersCommandError(`NATS at ${safeUrl(config.natsUrl)} has no bucket ${bucket}: namespace "${namespace}" has not started yet (is RISKSTREAM_NAMESPACE right?)`);
  }
  // as ensureStreams() creates it at the first start, which then finds it there
  await ensureKvBucket(bus, bucket);
  access.notice(`namespace "${namespace}" has not started yet: created its users bucket ${bucket} only (is RISKSTREAM_NAMESPACE right? \`riskstream reset --yes\` removes it)`);
}

/**
 * A user not found, named with the namespace looked in: a user missing is most often one looked for
 * with another RISKSTREAM_NAMESPACE than the riskstream they sign in to.
 */
function noUser(ctx: UsersContext, username: string): UsersCommandError {
  return new UsersCommandError(`no user "${username}" in namespace "${ctx.namespace}" (is RISKSTREAM_NAMESPACE that of the riskstream they sign in to? \`riskstream users list\` shows its users)`);
}

const userRole = oneOf(USER_ROLES, 'role');

/**
 * Checks --role values: the error names the bad one and the role meant when it is a slip away
 * (`monitr`: risk_monitor), and where the command's help is.
 */
export function parseRoleOptions(values: readonly string[]): UserRole[] {
  if (values.length === 0) throw commandLineMistake(new UsersCommandError(`give at least one --role (${USER_ROLES.join(', ')})`));
  try {
    return values.map(userRole);
  } catch (error) {
    throw commandLineMistake(new UsersCommandError(`--role: ${(error as Error).message}`));
  }
}

/**
 * A name `users add` can create, normalised; what UserStore.create refuses is a command-line
 * mistake, found before anything is asked or connected to (a namespace not started would otherwise
 * get its users bucket first).
 */
export function checkNewUsername(username: string): string {
  const name = normaliseUsername(username);
  const nameProblem = usernameProblem(name);
  if (nameProblem) throw commandLineMistake(new UsersCommandError(`"${username}": ${nameProblem}`));
  return name;
}

/**
 * `users add`: creates the user; prints the password only when it was generated here. A bad or taken
 * name is refused before the password is asked for.
 */
export async function usersAdd(
  ctx: UsersContext,
  username: string,
  options: { readonly roles: readonly UserRole[]; readonly displayName?: string; readonly password: PasswordSource },
  out: Out,
): Promise<UserRecord> {
  const name = checkNewUsername(username);
  if (await ctx.users.get(name)) {
    throw new RiskstreamError('RS_ERR_CONFLICT', `the user "${name}" already exists in namespace "${ctx.namespace}" (\`riskstream users passwd ${name}\` sets a new password)`);
  }
  const given = await options.password();
  const password = given ?? generatePassword();
  const record = await ctx.users.create({ username, password, roles: options.roles, ...(options.displayName ? { displayName: options.displayName } : {}) });
  out(`created ${record.username} (${record.roles.join(', ')})`);
  if (given === null) out(`password: ${password}   (shown once; change it with \`riskstream users passwd ${record.username}\`)`);
  return record;
}

/** `users list`: one line per user, no secrets. */
export async function usersList(ctx: UsersContext, out: Out): Promise<void> {
  const users = await ctx.users.list();
  if (users.length === 0) {
    out('no users yet: create one with `riskstream users add <name> --role admin`');
    return;
  }
  const width = Math.max(8, ...users.map((u) => u.username.length));
  out(`${'USER'.padEnd(width)}  ${'ROLES'.padEnd(40)}  TOTP  STATE`);
  for (const user of users) {
    const locked = (await ctx.throttle.lockedFor(user.username)) > 0;
    const state = user.disabled ? 'disabled' : locked ? 'locked' : 'active';
    out(`${user.username.padEnd(width)}  ${user.roles.join(',').padEnd(40)}  ${(user.totp ? 'on' : 'off').padEnd(4)}  ${state}`);
  }
}

/**
 * `users passwd`: sets a new password and ends the user's sessions. The user is looked up before the
 * password is asked for.
 */
export async function usersPasswd(ctx: UsersContext, username: string, askPassword: PasswordSource, out: Out): Promise<void> {
  if (!(await ctx.users.get(username))) throw noUser(ctx, username);
  const password = await askPassword();
  const chosen = password ?? generatePassword();
  const record = await ctx.users.setPassword(username, chosen);
  const ended = await ctx.sessions.destroyAllForUser(record.username);
  out(`password of ${record.username} changed; ${countOf(ended, 'session')} ended`);
  if (password === null) out(`password: ${chosen}   (shown once)`);
}

/** `users reset-totp`: removes the second factor so the user can enrol again; ends their sessions. */
export async function usersResetTotp(ctx: UsersContext, username: string, out: Out): Promise<void> {
  const before = await ctx.users.get(username);
  if (!before) throw noUser(ctx, username);
  if (before.totp === null && before.totpPending === null) {
    out(`${before.username} has no second factor; nothing to remove`);
    return;
  }
  const record = await ctx.users.resetTotp(username);
  const ended = await ctx.sessions.destroyAllForUser(record.username);
  out(`second factor of ${record.username} removed; ${countOf(ended, 'session')} ended; they can enrol again after signing in`);
}

/**
 * `users unlock`: lifts a sign-in lock-out, and forgets the failures. Says so when there was none to
 * lift, and refuses a name that neither is a user nor is locked (a typo, or another namespace), where
 * it said '… unlocked' whatever it found.
 */
export async function usersUnlock(ctx: UsersContext, username: string, out: Out): Promise<void> {
  const record = await ctx.users.get(username);
  const name = record?.username ?? normaliseUsername(username);
  const locked = (await ctx.throttle.lockedFor(name)) > 0;
  // a name locked before its user exists (someone tried it five times) can be unlocked too
  if (!record && !locked) throw noUser(ctx, username);
  await ctx.throttle.unlock(name);
  if (!locked) out(`${name} was not locked out; nothing to lift`);
  else out(record ? `${name} unlocked` : `${username} unlocked (no user has that name yet)`);
}

/**
 * `users disable` / `users enable`: the way back when no admin can use the dashboard (the API does
 * not let admins disable or demote themselves). Disabling ends the user's sessions.
 */
export async function usersSetDisabled(ctx: UsersContext, username: string, disabled: boolean, out: Out): Promise<void> {
  const record = await ctx.users.get(username);
  if (!record) throw noUser(ctx, username);
  if (record.disabled === disabled) {
    out(`${record.username} is already ${disabled ? 'disabled' : 'enabled'}`);
    return;
  }
  await ctx.users.setDisabled(record.username, disabled);
  if (!disabled) {
    out(`${record.username} enabled`);
    return;
  }
  const ended = await ctx.sessions.destroyAllForUser(record.username);
  out(`${record.username} disabled; ${countOf(ended, 'session')} ended`);
}

/**
 * The password for add/passwd: from stdin with --password-stdin, typed (twice, hidden) at a terminal,
 * or null (generate one) when neither applies or the typed answer is empty.
 */
export async function readPassword(
  options: { readonly passwordStdin?: boolean },
  input: NodeJS.ReadableStream & { readonly isTTY?: boolean } = process.stdin,
): Promise<string | null> {
  let password: string | null;
  if (options.passwordStdin) {
    password = (await readAll(input)).replace(/\r?\n$/, '');
    if (password === '') throw new UsersCommandError('--password-stdin: stdin was empty');
  } else if (input.isTTY && input === process.stdin) {
    const first = await promptHidden('password (empty: generate one): ');
    if (first === '') return null;
    const problem = passwordProblem(first);
    if (problem) throw new UsersCommandError(problem);
    if ((await promptHidden('again: ')) !== first) throw new UsersCommandError('the two passwords differ');
    password = first;
  } else {
    return null;
  }
  const problem = passwordProblem(password);
  if (problem) throw new UsersCommandError(problem);
  return password;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/** Reads a line at the terminal without echoing it. */
function promptHidden(prompt: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    process.stderr.write(prompt);
    stdin.setRawMode(true);
    stdin.resume();
    stdin.setEncoding('utf8');
    let typed = '';
    const finish = (error?: Error): void => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.removeListener('data', onData);
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(typed);
    };
    const onData = (data: string): void => {
      for (const ch of data) {
        if (ch === '\r' || ch === '\n') return finish();
        if (ch === '\u0003') return finish(new UsersCommandError('cancelled'));
        if (ch === '\u007f' || ch === '\b') typed = typed.slice(0, -1);
        else typed += ch;
      }
    };
    stdin.on('data', onData);
  });
}
