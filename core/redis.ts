// The Redis connection for shared feature state; fails fast with a message naming the address.
import { connect } from 'node:net';
import { Redis } from 'ioredis';
import { safeUrl, withoutSecretsOf, type Logger } from './log.js';
import { ServiceUnavailableError, hostAndPort } from './bus.js';

export type { Redis };

/** How to start the Redis server REDIS_URL names (its host and port), or point REDIS_URL elsewhere. */
export function redisHowToStart(url: string): string {
  const { host, port } = hostAndPort(url, 6379);
  return `Start it with \`redis-server\` (for example: redis-server --daemonize yes --bind ${host} --port ${port} --save "" --appendonly no), or point REDIS_URL at a running server.`;
}

/** Refused credentials: the server is there, and starting one would not help. */
const REFUSED_CREDENTIALS = /WRONGPASS|NOAUTH|NOPERM/;
const CHECK_CREDENTIALS = 'Check the user name and password in REDIS_URL.';

/** The last error each connection reported (its commands fail with less telling words). */
const lastErrors = new WeakMap<Redis, Error>();

/**
 * Why Redis cannot be asked, for an operator: refused credentials, or not reachable at the URL —
 * from the connection's own last error when it has one.
 */
export function redisUnavailableMessage(redis: Redis | undefined, url: string, error: Error): string {
  const cause = (redis && lastErrors.get(redis)) ?? error;
  const detail = withoutSecretsOf(url, cause.message);
  if (REFUSED_CREDENTIALS.test(detail)) return `Redis at ${safeUrl(url)} refuses riskstream's credentials (${detail}). ${CHECK_CREDENTIALS}`;
  return `Redis is not reachable at ${safeUrl(url)} (${detail}). ${redisHowToStart(url)}`;
}

/** How long a command waits for Redis's answer before it fails (a connection that hangs without closing). */
export const REDIS_COMMAND_TIMEOUT_MS = 5000;

/**
 * Connects, and fails fast while Redis is away: a command sent while the connection is down fails
 * at once instead of waiting in ioredis's offline queue (which held each one for ≈ 30 s of
 * reconnection attempts: HTTP answers, /healthz and stopping all waited that long), and one that
 * gets no answer fails after REDIS_COMMAND_TIMEOUT_MS. The client keeps reconnecting in the
 * background; callers treat a failure as Redis being unavailable (the processors retry the batch
 * later, the gateway sends events unchecked, the API answers 503: docs/operations.md).
 */
export async function connectRedis(url: string, connectionName = 'riskstream', logger?: Logger): Promise<Redis> {
  let redis: Redis;
  try {
    redis = newClient(url, connectionName);
  } catch (error) {
    // a URL the client cannot read (a bad port, an unescaped / or @ in the password): say which setting
    throw new ServiceUnavailableError(
      `REDIS_URL ${safeUrl(url)} cannot be read (${withoutSecretsOf(url, (error as Error).message)}): write it as redis://[user][:password]@host:port[/db], with special characters in the password percent-encoded`,
    );
  }
  return startClient(redis, url, logger);
}

function newClient(url: string, connectionName: string): Redis {
  return new Redis(url, {
    lazyConnect: true,
    connectTimeout: 3000,
    connectionName,
    enableOfflineQueue: false,
    commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
    maxRetriesPerRequest: 20,
    enableAutoPipelining: false,
    retryStrategy: (attempt: number) => Math.min(attempt * 200, 2000),
  });
}

/** The rest of connectRedis, once the client exists. */
async function startClient(redis: Redis, url: string, logger: Logger | undefined): Promise<Redis> {
  // Errors after start-up surface on commands; the event keeps ioredis from printing them, keeps
  // the first one's cause (connect() reports it only as "Connection is closed") and the last one
  // (for /healthz), and — with a logger — says once that the connection was lost, and when it is back.
  let cause: Error | undefined;
  let started = false;
  let lost = false;
  redis.on('error', (error: Error) => {
    cause ??= error;
    lastErrors.set(redis, error);
    if (logger && started && !lost) {
      lost = true;
      logger.warn({ redis: safeUrl(url), detail: withoutSecretsOf(url, error.message) }, 'lost the connection to Redis; reconnecting (the processors wait, the gateway sends events unchecked)');
    }
  });
  redis.on('ready', () => {
    lastErrors.delete(redis);
    if (logger && lost) logger.info({ redis: safeUrl(url) }, 'connected to Redis again');
    lost = false;
  });
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    redis.disconnect();
    const reason = withoutSecretsOf(url, (cause ?? (error as Error)).message);
    // something else answers there (NATS, HTTP): ioredis says "Protocol error, got … Please report this"
    // or, when the other server closed on its first command before its greeting was read, only
    // that the connection broke: then a look at whether the server speaks first tells
    const foreign = /^Protocol error/.test(reason) ? reason.split('. ')[0] : CLOSED_ON_US.test(reason) ? await greetingAt(url) : null;
    if (foreign !== null) {
      throw new ServiceUnavailableError(`what answers at ${safeUrl(url)} is not Redis (it does not speak Redis's protocol: ${foreign}): check the host and port in REDIS_URL`);
    }
    const next = REFUSED_CREDENTIALS.test(reason) ? CHECK_CREDENTIALS : redisHowToStart(url);
    throw new ServiceUnavailableError(`Redis is not reachable at ${safeUrl(url)} (${reason}). ${next}`);
  }
  const problem = redisServerProblem(await redis.info().catch(() => ''), url);
  if (problem !== null) {
    redis.disconnect();
    throw new ServiceUnavailableError(problem);
  }
  started = true;
  return redis;
}

/** The oldest Redis riskstream runs on: its scripts keep TTLs with SET … KEEPTTL (6.0). */
const MIN_REDIS_VERSION = [6, 0] as const;

/**
 * What makes a Redis that answers unfit for riskstream, from its INFO, or null. Each would
 * otherwise fail later and less clearly: a cluster node answers MOVED or CROSSSLOT to the
 * processors' batches, a replica READONLY to every write (or, when writable, loses them at its
 * next sync), and a server older than MIN_REDIS_VERSION "syntax error" to the feature scripts.
 * An INFO that could not be read (a user without the permission) says nothing: null.
 */
export function redisServerProblem(info: string, url: string): string | null {
  const field = (name: string): string | undefined => new RegExp(`^${name}:([^\\r\\n]*)`, 'm').exec(info)?.[1]?.trim();
  const where = `Redis at ${safeUrl(url)}`;
  if (field('redis_mode') === 'cluster') {
    return `${where} runs in cluster mode, which riskstream does not support yet (docs/features.md, Scale-out): point REDIS_URL at a standalone Redis or a primary`;
  }
  if (field('role') === 'slave') {
    const primary = field('master_host');
    return `${where} is a replica${primary ? ` of ${primary}:${field('master_port') ?? '6379'}` : ''}: riskstream writes its feature state there, so point REDIS_URL at the primary`;
  }
  const version = field('redis_version');
  const [major, minor] = (version ?? '').split('.').map(Number);
  if (version !== undefined && major !== undefined && minor !== undefined && Number.isFinite(major) && Number.isFinite(minor)) {
    const [needMajor, needMinor] = MIN_REDIS_VERSION;
    if (major < needMajor || (major === needMajor && minor < needMinor)) {
      return `${where} is version ${version}; riskstream needs Redis ${needMajor}.${needMinor} or later (its scripts keep TTLs with SET … KEEPTTL): upgrade it or point REDIS_URL at a newer server`;
    }
  }
  return null;
}

/** A connection broken by the other side while connecting: Redis would have answered. */
const CLOSED_ON_US = /EPIPE|ECONNRESET|Connection is closed/;
/** How long greetingAt waits for a server to speak first. */
const GREETING_WAIT_MS = 1000;

/**
 * What the server at a plain redis:// URL says before it is asked anything, as words for an
 * operator, or null when it says nothing (Redis never speaks first; NATS, SMTP, SSH, MySQL do).
 */
async function greetingAt(url: string): Promise<string | null> {
  if (!url.startsWith('redis://')) return null;
  const { host, port } = hostAndPort(url, 6379);
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (value: string | null): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(value);
    };
    const timer = setTimeout(() => done(null), GREETING_WAIT_MS);
    socket.once('data', (chunk: Buffer) => done(`it speaks first: ${JSON.stringify(chunk.toString('latin1').split('\r\n')[0]!.slice(0, 40))}`));
    socket.once('error', () => done(null));
    socket.once('close', () => done(null));
  });
}

/** How long a polite close waits for Redis's answer to QUIT: a hung server (stopped, not closed) never answers. */
const QUIT_WAIT_MS = 1000;

/** Closes a connection: politely (QUIT) when Redis is there, at once when it is not or does not answer. */
export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === 'ready') {
    let timer: NodeJS.Timeout | undefined;
    try {
      const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('QUIT not answered')), QUIT_WAIT_MS)));
      await Promise.race([redis.quit(), late]);
      return;
    } catch {
      // Lost meanwhile, or hung: drop it below.
    } finally {
      clearTimeout(timer);
    }
  }
  redis.disconnect();
}

/**
 * Whether an error means Redis could not be asked (down, unreachable, not answering) rather than
 * that it refused the command: what the API answers 503 for. ioredis's errors carry no code for
 * these; their messages are stable across its versions.
 */
export function isRedisUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'MaxRetriesPerRequestError') return true;
  return /enableOfflineQueue options is false|Connection is closed|Command timed out|ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT/.test(error.message);
}

/** How a Redis server frees memory (from INFO memory). */
export type RedisMemory = { readonly usedBytes: number; readonly maxBytes: number; readonly policy: string };

/** Reads used memory, maxmemory and the eviction policy (INFO works where CONFIG GET is disabled). */
export async function redisMemory(redis: Redis): Promise<RedisMemory> {
  const info = await redis.info('memory');
  const field = (name: string): string => new RegExp(`^${name}:(\\S+)`, 'm').exec(info)?.[1] ?? '';
  return { usedBytes: Number(field('used_memory')) || 0, maxBytes: Number(field('maxmemory')) || 0, policy: field('maxmemory_policy') || 'unknown' };
}

/**
 * What is wrong with how the server frees memory, for riskstream, or null. Every key riskstream
 * writes carries a TTL, so with a memory limit any policy but noeviction (volatile-* included)
 * would silently drop feature state, idempotency markers and sessions: features computed from part
 * of an account's history, events applied twice. Full with noeviction, Redis refuses writes
 * instead, which riskstream reports and retries.
 */
export function evictionProblem(memory: RedisMemory): string | null {
  if (memory.maxBytes === 0) return null;
  if (memory.policy === 'noeviction') {
    // full: every write is refused (OOM), so the processors decide nothing
    if (memory.usedBytes < memory.maxBytes * FULL_SHARE) return null;
    return (
      `Redis is full (${(memory.usedBytes / 1024 ** 2).toFixed(0)} of ${(memory.maxBytes / 1024 ** 2).toFixed(0)} MiB, maxmemory-policy noeviction): it refuses writes, ` +
      'so the processors decide nothing while events wait on the stream. Raise maxmemory (docs/features.md, TTLs and memory, says what riskstream keeps), or lower RISKSTREAM_DEDUP_TTL_SECONDS.'
    );
  }
  const limit = `${(memory.maxBytes / 1024 ** 2).toFixed(0)} MiB`;
  return (
    `Redis evicts keys when it reaches maxmemory (${limit}, maxmemory-policy ${memory.policy}): it would drop feature state, ` +
    'idempotency markers and sessions without a word. Set maxmemory-policy noeviction (riskstream\'s keys expire on their own) or remove the limit.'
  );
}

/** Used memory from which a Redis with a limit and no eviction counts as full: its writes start failing. */
const FULL_SHARE = 0.98;

/** Deletes every key under a prefix (tests and `riskstream reset`). */
export async function deleteKeysWithPrefix(redis: Redis, prefix: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) deleted += await redis.unlink(...keys);
  } while (cursor !== '0');
  return deleted;
}

/** The key that says Redis still holds this namespace's state: set once, no TTL, gone only if Redis lost it (or `reset`). */
export function stateMarkerKey(prefix: string): string {
  return `${prefix}state`;
}

/**
 * Watches that Redis keeps the namespace's state: a Redis restarted without persistence, flushed
 * or evicting comes back empty, which silently resets every account's history and the duplicate
 * checks (an event sent again within RISKSTREAM_DEDUP_TTL_SECONDS would be decided again). A marker
 * key set at start is looked for when the connection comes back and every `everyMs`; when it is
 * gone, an error says what was lost and the marker is set again. At start a missing marker is a
 * first start, unless `existedBefore` says the namespace ran before (processorsHaveRun): then
 * Redis lost the state while riskstream was stopped. Returns the stop function.
 */
export function watchRedisState(
  redis: Redis,
  url: string,
  prefix: string,
  logger: Logger,
  onLost: () => void = () => undefined,
  everyMs = 10_000,
  existedBefore: () => Promise<boolean> = async () => false,
): () => void {
  const key = stateMarkerKey(prefix);
  let stopped = false;
  const check = async (first: boolean): Promise<void> => {
    if (stopped || redis.status !== 'ready') return;
    // NX: the first start writes it; later, a 1 says it was missing
    const created = await redis.set(key, new Date().toISOString(), 'NX').catch(() => undefined);
    if (created !== 'OK') return;
    if (first && !(await existedBefore())) return;
    onLost();
    logger.error(
      { redis: safeUrl(url) },
      `Redis has lost riskstream's state (restarted without persistence, flushed, or evicting${first ? ', while riskstream was stopped' : ''}): every account's windows and history start again from nothing, and an event sent again within RISKSTREAM_DEDUP_TTL_SECONDS is decided again. Give Redis persistence (appendonly yes) and maxmemory-policy noeviction to keep it`,
    );
  };
  void check(true);
  const onReady = (): void => void check(false);
  redis.on('ready', onReady);
  const timer = setInterval(() => void check(false), everyMs);
  timer.unref();
  return () => {
    stopped = true;
    clearInterval(timer);
    redis.off('ready', onReady);
  };
}
