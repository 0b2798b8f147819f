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
  // The clients take everything before the LAST @ as credentials (a password may hold an unencoded
  // / ? or #), where the URL parser ends the authority at the first of those: mask as the clients read.
  const region = credentialRegion(url);
  if (region !== null && /[/?#]/.test(url.slice(region.start, region.end))) {
    const credentials = url.slice(region.start, region.end);
    const colon = credentials.indexOf(':');
    const user = colon > 0 && !/[/?#]/.test(credentials.slice(0, colon)) ? credentials.slice(0, colon) + ':' : '';
    return (url.slice(0, region.start) + user + '***' + url.slice(region.end)).replace(SECRET_PARAM_TEXT, '$1=***');
  }
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

/** Where the credentials of one URL stand: after `scheme://` (or the start) up to its last @; null without an @. */
function credentialRegion(url: string): { readonly start: number; readonly end: number } | null {
  const at = url.lastIndexOf('@');
  if (at < 0) return null;
  const scheme = url.indexOf('://');
  const start = scheme < 0 || scheme > at ? 0 : scheme + 3;
  return { start, end: at };
}

/** Not a URL (no scheme: ioredis takes ":password@host:port"; or a bad port): whatever stands before the last @ goes. */
function maskText(url: string): string {
  return url.replace(/^(\s*(?:[a-z][a-z0-9+.-]*:)?\/\/)?.*@/i, '$1***@').replace(SECRET_PARAM_TEXT, '$1=***');
}

/**
 * A text from a client library (an error message) with every secret of the connection URL it was
 * given masked: the libraries quote parts of the URL in their errors, not always as riskstream
 * would mask them (ioredis: `connect ENOENT //user:password@host`).
 */
export function withoutSecretsOf(url: string, text: string): string {
  const secrets = new Set<string>();
  for (const piece of url.split(',')) {
    const region = credentialRegion(piece.trim());
    if (region !== null) {
      const credentials = piece.trim().slice(region.start, region.end);
      const colon = credentials.indexOf(':');
      for (const secret of [credentials, colon < 0 ? credentials : credentials.slice(colon + 1)]) {
        secrets.add(secret);
        secrets.add(decodedOrSame(secret));
        secrets.add(encodeURIComponent(decodedOrSame(secret)));
      }
    }
    for (const match of piece.matchAll(SECRET_PARAM_TEXT)) {
      const value = match[0].slice(match[0].indexOf('=') + 1);
      secrets.add(value);
      secrets.add(decodedOrSame(value));
    }
  }
  let out = text;
  // longest first, so that a password is not left half-masked inside its credentials
  for (const secret of [...secrets].filter((s) => s.length >= 2).sort((a, b) => b.length - a.length)) out = out.split(secret).join('***');
  return out;
}

function decodedOrSame(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Query parameters that carry credentials: password, pass, pwd, token, secret, auth, key, credentials, … */
const SECRET_PARAM = /pass|pwd|token|secret|auth|key|cred|sig/i;
const SECRET_PARAM_TEXT = /([?&][^=&#]*(?:pass|pwd|token|secret|auth|key|cred|sig)[^=&#]*)=[^&#]*/gi;
