// Configuration from the environment, with defaults that run the demo on one machine.
// Every name here is documented in README.md ("Configuration").
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { currencyInfo } from './money.js';

export const ROLES = ['ingest', 'processors', 'writer', 'api', 'simulator'] as const;
export type Role = (typeof ROLES)[number];

export type Config = {
  readonly port: number;
  readonly host: string;
  readonly natsUrl: string;
  readonly redisUrl: string;
  /** Unset: embedded chDB under dataDir. */
  readonly clickhouseUrl: string | undefined;
  readonly clickhouseCluster: string | undefined;
  readonly dataDir: string;
  readonly namespace: string;
  /** The ingest key this process's own clients use (bench, simulate and replay with --url): the first of `apiKeys`. */
  readonly apiKey: string;
  /** Every key ingest accepts: RISKSTREAM_API_KEY may list several, comma-separated, so that a key can be rotated without downtime. */
  readonly apiKeys: readonly string[];
  /** True when the API key was generated because none was configured (demo mode). */
  readonly apiKeyGenerated: boolean;
  readonly simulatorRate: number;
  readonly simulatorSeed: number;
  /** RISKSTREAM_SIMULATOR_SEED was set: the demo keeps that seed at every start. */
  readonly simulatorSeedSet: boolean;
  /** Customers of the simulated bank; undefined: sized from the simulator's rate (ingest/simulator/world-size.ts). */
  readonly simulatorCustomers: number | undefined;
  readonly partitions: number;
  readonly logLevel: string;
  /** LOG_FORMAT: json, or pretty; unset, pretty when stdout is a terminal. */
  readonly logFormat: 'json' | 'pretty';
  /**
   * Events per bus message at most from the HTTP gateway (1: one message per event); concurrent
   * requests' events travel together in envelopes.
   */
  readonly ingestEnvelope: number;
  /**
   * With envelopes: a kind's events leave the gateway in at most one message per this many ms
   * (unless it is full), so that busy gateways send fuller messages; 0 turns it off.
   */
  readonly ingestLingerMs: number;
  /** How long the processors remember an event id for idempotent re-processing. */
  readonly dedupTtlSeconds: number;
  /** Raw event, decision and alert rows live this long in ClickHouse. */
  readonly retentionDays: number;
  /** Size limit of the events and decisions streams, MiB (JetStream reserves it on the server). */
  readonly streamMaxMiB: number;
  /** Age limit of messages on the events and decisions streams, hours. */
  readonly streamMaxAgeHours: number;
  /** Overrides of the indicative USD rates used by features (currency → USD per unit). */
  readonly fxRates: Readonly<Record<string, number>>;
  /** Seed one dashboard user per role with printed passwords (default: on in demo mode, i.e. without RISKSTREAM_API_KEY). */
  readonly demoUsers: boolean;
  /** The first admin, created at start-up when missing (both or neither). */
  readonly adminUser: string | undefined;
  readonly adminPassword: string | undefined;
  /**
   * The key that seals TOTP secrets (32 bytes, base64 or hex); unset: `<dataDir>/secrets.key`,
   * created on first use. Never logged.
   */
  readonly secretsKey: string | undefined;
  /** Run the processors in a worker thread: 'auto' does when they share the process with other roles. */
  readonly processorsThread: boolean | 'auto';
  /** Map the writer's rows in a worker thread: 'auto' does when the process also serves the API and dashboard. */
  readonly writerThread: boolean | 'auto';
  /** Session cookies marked Secure: 'auto' follows the request's protocol (behind TLS, set true). */
  readonly secureCookies: boolean | 'auto';
  /**
   * Live-dashboard WebSockets one user name may hold open in a process (a person's tabs; a load
   * test that opens many sockets as one user raises it).
   */
  readonly wsMaxPerUser: number;
};

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const NAMESPACE_PATTERN = /^[a-z][a-z0-9_]{0,30}$/;

/**
 * The value of a variable, or undefined when it is unset or empty: an empty value means "unset" for
 * every variable (README, Configuration) except RISKSTREAM_API_KEY. A value of spaces alone is a
 * mistake (a template that put nothing in), refused naming the variable rather than read as unset.
 */
function rawFrom(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  if (raw.trim() === '') throw new ConfigError(`${name} is set to spaces only: give it a value, or unset it (or leave it empty) for the default`);
  return raw;
}

/** Decimal digits only: no sign, fraction, exponent, hex or spaces (Number() would take 0x50, 1e3 and ' '). */
const DECIMAL_DIGITS = /^[0-9]{1,16}$/;

function intFrom(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = rawFrom(env, name);
  if (raw === undefined) return fallback;
  const value = DECIMAL_DIGITS.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name}=${raw} is not an integer between ${min} and ${max} (decimal digits only)`);
  }
  return value;
}

/** Like intFrom, but undefined when the variable is unset or empty. */
function optionalIntFrom(env: NodeJS.ProcessEnv, name: string, min: number, max: number): number | undefined {
  return rawFrom(env, name) === undefined ? undefined : intFrom(env, name, min, min, max);
}

function flagFrom(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = rawFrom(env, name);
  if (raw === undefined) return fallback;
  if (raw === '1' || raw === 'true') return true;
  if (raw === '0' || raw === 'false') return false;
  throw new ConfigError(`${name}=${raw} must be 1 or 0 (true or false)`);
}

/** A setting that is `auto` (also when unset) or a flag. */
function autoFlagFrom(env: NodeJS.ProcessEnv, name: string): boolean | 'auto' {
  const raw = rawFrom(env, name);
  if (raw === undefined || raw === 'auto') return 'auto';
  if (raw === '1' || raw === 'true') return true;
  if (raw === '0' || raw === 'false') return false;
  throw new ConfigError(`${name}=${raw} must be auto (the default, also when unset), 1 or 0 (true or false)`);
}

/**
 * RISKSTREAM_API_KEY: one key, or several separated by commas (rotation); each at least 16 characters.
 * Unset means demo mode (a generated key and, by default, demo users with an admin among them); set
 * but empty or blank is refused, as it is what a deployment's secret that failed to template gives.
 */
function apiKeysFrom(raw: string | undefined): string[] {
  if (raw === undefined) return [];
  if (raw.trim() === '') {
    throw new ConfigError(
      `RISKSTREAM_API_KEY is set but ${raw === '' ? 'empty' : 'blank'}: give the ingest key (at least 16 characters), or unset it (not set it to nothing) for demo mode with a generated key and demo users`,
    );
  }
  const keys = raw.split(',').map((k) => k.trim());
  keys.forEach((key, i) => {
    const which = keys.length > 1 ? `key ${i + 1} of RISKSTREAM_API_KEY` : 'RISKSTREAM_API_KEY';
    if (key.length === 0) throw new ConfigError(`${which} is empty; separate several keys with single commas`);
    if (key.length < 16) throw new ConfigError(`${which} must be at least 16 characters long`);
  });
  if (new Set(keys).size !== keys.length) throw new ConfigError('RISKSTREAM_API_KEY lists the same key twice');
  return keys;
}

/** An http(s) address with a host, or undefined: what CLICKHOUSE_URL and the commands' --url take. */
export function httpUrlOf(text: string): URL | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '' ? url : undefined;
}

/** A ClickHouse server's HTTP address, checked here so that a typo is one line, not a stack trace. */
function clickhouseUrlFrom(raw: string | undefined): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (httpUrlOf(raw) === undefined) {
    // never echo what might hold a password
    throw new ConfigError('CLICKHOUSE_URL is not an http(s) address such as http://default:password@clickhouse:8123 (unset it to use embedded chDB)');
  }
  return raw;
}

/** pino's levels, and silent. */
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

function logLevelFrom(raw: string | undefined): string {
  if (raw === undefined || raw === '') return 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(raw)) throw new ConfigError(`LOG_LEVEL=${raw} is not a level; levels are: ${LOG_LEVELS.join(', ')}`);
  return raw;
}

function logFormatFrom(raw: string | undefined): 'json' | 'pretty' {
  if (raw === undefined || raw === '') return process.stdout.isTTY ? 'pretty' : 'json';
  if (raw !== 'json' && raw !== 'pretty') throw new ConfigError(`LOG_FORMAT=${raw} is not a format; formats are: json, pretty`);
  return raw;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const namespace = rawFrom(env, 'RISKSTREAM_NAMESPACE') ?? 'rs';
  if (!NAMESPACE_PATTERN.test(namespace)) {
    throw new ConfigError(
      `RISKSTREAM_NAMESPACE=${namespace} must start with a lower-case letter and hold only a-z, 0-9 and _ (at most 31 characters)`,
    );
  }
  const configuredKeys = apiKeysFrom(env.RISKSTREAM_API_KEY);
  const apiKeyGenerated = configuredKeys.length === 0;
  const apiKeys = apiKeyGenerated ? [`rsk_${randomBytes(18).toString('base64url')}`] : configuredKeys;
  return {
    port: intFrom(env, 'PORT', 8080, 0, 65535),
    host: rawFrom(env, 'HOST') ?? '127.0.0.1',
    natsUrl: rawFrom(env, 'NATS_URL') ?? 'nats://127.0.0.1:4222',
    redisUrl: rawFrom(env, 'REDIS_URL') ?? 'redis://127.0.0.1:6379',
    clickhouseUrl: clickhouseUrlFrom(rawFrom(env, 'CLICKHOUSE_URL')),
    clickhouseCluster: rawFrom(env, 'CLICKHOUSE_CLUSTER'),
    dataDir: resolve(rawFrom(env, 'RISKSTREAM_DATA_DIR') ?? './data'),
    namespace,
    apiKey: apiKeys[0]!,
    apiKeys,
    apiKeyGenerated,
    simulatorRate: intFrom(env, 'RISKSTREAM_SIMULATOR_RATE', 50, 0, 1_000_000),
    simulatorSeed: intFrom(env, 'RISKSTREAM_SIMULATOR_SEED', 42, 0, 2 ** 31 - 1),
    simulatorSeedSet: rawFrom(env, 'RISKSTREAM_SIMULATOR_SEED') !== undefined,
    simulatorCustomers: optionalIntFrom(env, 'RISKSTREAM_SIMULATOR_CUSTOMERS', 100, 5_000_000),
    partitions: intFrom(env, 'RISKSTREAM_PARTITIONS', 16, 1, 1024),
    logLevel: logLevelFrom(rawFrom(env, 'LOG_LEVEL')),
    logFormat: logFormatFrom(rawFrom(env, 'LOG_FORMAT')),
    ingestEnvelope: intFrom(env, 'RISKSTREAM_INGEST_ENVELOPE', 64, 1, 256),
    ingestLingerMs: intFrom(env, 'RISKSTREAM_INGEST_LINGER_MS', 2, 0, 100),
    dedupTtlSeconds: intFrom(env, 'RISKSTREAM_DEDUP_TTL_SECONDS', 1800, 60, 30 * 86_400),
    retentionDays: intFrom(env, 'RISKSTREAM_RETENTION_DAYS', 30, 1, 3650),
    streamMaxMiB: intFrom(env, 'RISKSTREAM_STREAM_MAX_MB', 2048, 16, 16 * 1024 * 1024),
    streamMaxAgeHours: intFrom(env, 'RISKSTREAM_STREAM_MAX_AGE_HOURS', 72, 1, 24 * 365),
    fxRates: fxRatesFrom(rawFrom(env, 'RISKSTREAM_FX_RATES')),
    demoUsers: flagFrom(env, 'RISKSTREAM_DEMO_USERS', apiKeyGenerated),
    adminUser: rawFrom(env, 'RISKSTREAM_ADMIN_USER'),
    adminPassword: rawFrom(env, 'RISKSTREAM_ADMIN_PASSWORD'),
    secretsKey: rawFrom(env, 'RISKSTREAM_SECRETS_KEY'),
    processorsThread: autoFlagFrom(env, 'RISKSTREAM_PROCESSORS_THREAD'),
    writerThread: autoFlagFrom(env, 'RISKSTREAM_WRITER_THREAD'),
    secureCookies: autoFlagFrom(env, 'RISKSTREAM_SECURE_COOKIES'),
    wsMaxPerUser: intFrom(env, 'RISKSTREAM_WS_MAX_PER_USER', 20, 1, 5000),
  };
}

/** Parses `--roles ingest,processors` into a validated set; absent means every role, empty is refused. */
export function parseRoles(list: string | undefined): ReadonlySet<Role> {
  if (list === undefined) return new Set(ROLES);
  const roles = new Set<Role>();
  for (const part of list.split(',').map((s) => s.trim()).filter(Boolean)) {
    if (!(ROLES as readonly string[]).includes(part)) {
      throw new ConfigError(`unknown role "${part}"; roles are: ${ROLES.join(', ')}`);
    }
    roles.add(part as Role);
  }
  if (roles.size === 0) throw new ConfigError(`--roles is empty; roles are: ${ROLES.join(', ')}`);
  return roles;
}

/** RISKSTREAM_FX_RATES of an environment, checked (a ConfigError names what is wrong). */
export function fxRatesFromEnv(env: NodeJS.ProcessEnv = process.env): Readonly<Record<string, number>> {
  return fxRatesFrom(rawFrom(env, 'RISKSTREAM_FX_RATES'));
}

function fxRatesFrom(raw: string | undefined): Readonly<Record<string, number>> {
  if (!raw) return {};
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new ConfigError('RISKSTREAM_FX_RATES must be JSON such as {"EUR":1.08,"GBP":1.27}');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigError('RISKSTREAM_FX_RATES must be a JSON object of currency code to USD per unit');
  }
  for (const [code, rate] of Object.entries(value)) {
    if (!/^[A-Z]{3}$/.test(code)) {
      const upper = code.toUpperCase();
      throw new ConfigError(`RISKSTREAM_FX_RATES: ${JSON.stringify(code)} must be an ISO 4217 code in capitals${/^[A-Z]{3}$/.test(upper) ? ` ("${upper}")` : ''}`);
    }
    if (!currencyInfo(code)) throw new ConfigError(`RISKSTREAM_FX_RATES: ${code} is not an ISO 4217 currency in use`);
    if (typeof rate !== 'number' || !(rate > 0) || !Number.isFinite(rate)) {
      throw new ConfigError(`RISKSTREAM_FX_RATES: the rate of ${code} must be a positive number of USD per unit (such as 1.08), not ${JSON.stringify(rate)}`);
    }
  }
  return value as Record<string, number>;
}
