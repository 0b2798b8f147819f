// Structured logging (pino). Secrets are redacted by path wherever they could appear.
import { pino, type DestinationStream, type Logger } from 'pino';

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

export function createLogger(level: string = process.env.LOG_LEVEL ?? 'info', name = 'riskstream', destination?: DestinationStream): Logger {
  const options = { name, level, redact: { paths: REDACT, censor: '[redacted]' } };
  return destination ? pino(options, destination) : pino(options);
}

/** Removes credentials from a connection URL before it is logged or printed. */
export function safeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    // a user without a password is a token (nats://<token>@host): all of it is the secret
    else if (parsed.username) parsed.username = '***';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return url.replace(/\/\/[^@/]*@/, '//***@');
  }
}
