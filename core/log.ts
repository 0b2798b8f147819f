// Structured logging (pino). Secrets are redacted by path wherever they could appear.
import { pino, type DestinationStream, type Logger } from 'pino';
import { PinoPretty } from 'pino-pretty';

export type { Logger };

const REDACT = [
  'apiKey',
  'password',
  'secret',
  'token',
  '*.apiKey',
  '*.password',
  '*.secret',
  '*.token',
  'req.headers["x-api-key"]',
  'req.headers.authorization',
  'req.headers.cookie',
  'headers["x-api-key"]',
];

/** JSON lines (for a log collector) or lines for a person at a terminal. */
export type LogFormat = 'json' | 'pretty';

/**
 * The process's logger. `format` pretty writes readable lines (time, level, message, then the
 * fields) instead of JSON; the same fields are redacted either way.
 */
export function createLogger(level: string = process.env.LOG_LEVEL ?? 'info', name = 'riskstream', destination?: DestinationStream, format: LogFormat = 'json'): Logger {
  const options = { name, level, redact: { paths: REDACT, censor: '[redacted]' } };
  if (format === 'pretty') {
    const pretty = PinoPretty({
      colorize: true,
      sync: true,
      singleLine: true,
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pid,hostname,name',
      ...(destination ? { destination: destination as NodeJS.WritableStream } : {}),
    });
    return pino(options, pretty);
  }
  return destination ? pino(options, destination) : pino(options);
}

/** Removes credentials from a connection URL (or a comma-separated list of them) before it is logged or printed. */
export function safeUrl(url: string): string {
  // a list of servers (its first piece a URL on its own), each masked on its own; otherwise the
  // comma is inside one URL's credentials (`redis://:pa,ss@host`) and all before the @ goes
  return url.includes(',') && isUrl(url.split(',', 1)[0]!) ? url.split(',').map(safeOneUrl).join(',') : safeOneUrl(url);
}

function isUrl(text: string): boolean {
  try {
    return new URL(text).host !== '';
  } catch {
    return false;
  }
}

/** A URL with a scheme (`nats://`, `redis://`): `user:pw@host` without one reads as scheme `user:`. */
const WITH_SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

function safeOneUrl(url: string): string {
  if (!WITH_SCHEME.test(url.trim())) return maskText(url);
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    // a user without a password is a token (nats://<token>@host): all of it is the secret
    else if (parsed.username) parsed.username = '***';
    // clients also take credentials as query parameters (redis://host/?password=…)
    for (const name of [...parsed.searchParams.keys()]) if (SECRET_PARAM.test(name)) parsed.searchParams.set(name, '***');
    return parsed.toString().replace(/\/$/, '').replace(/=%2A%2A%2A/g, '=***');
  } catch {
    return maskText(url);
  }
}

/** Not a URL (no scheme: ioredis takes ":password@host:port"; or a bad port): whatever stands before an @ in the authority goes. */
function maskText(url: string): string {
  return url.replace(/^(\s*(?:[a-z][a-z0-9+.-]*:)?\/\/)?[^@/]*@/i, '$1***@').replace(SECRET_PARAM_TEXT, '$1=***');
}

/** Query parameters that carry credentials: password, pass, pwd, token, secret, auth, key, credentials, … */
const SECRET_PARAM = /pass|pwd|token|secret|auth|key|cred|sig/i;
const SECRET_PARAM_TEXT = /([?&][^=&#]*(?:pass|pwd|token|secret|auth|key|cred|sig)[^=&#]*)=[^&#]*/gi;
