// TOTP secrets are stored sealed (AES-256-GCM), so that whoever can read the users bucket in NATS
// cannot mint second-factor codes. The key comes from RISKSTREAM_SECRETS_KEY, or, when that is not
// set, from a key file in the data folder that the first process creates (docs/security.md).
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, createFileOnce, makeFolder } from '../../../core/index.js';

const SEALED_PREFIX = 'rs-aes256gcm:';
const KEY_BYTES = 32;
const IV_BYTES = 12;
export const SECRETS_KEY_FILE = 'secrets.key';

export class SecretBoxError extends Error {
  override readonly name = 'SecretBoxError';
}

export type SecretBox = {
  /** Where the key came from, for messages: the environment variable or the key file's path. */
  readonly keySource: string;
  /** Seals a secret for one context (the user name): it opens only for the same context. */
  seal(secret: string, context: string): string;
  /**
   * Opens a sealed secret. A value that was never sealed (stored before secrets were) comes back
   * as it is. Throws SecretBoxError when the key is not the one the value was sealed with.
   */
  open(stored: string, context: string): string;
  /** Whether a stored value is sealed. */
  isSealed(stored: string): boolean;
};

export function createSecretBox(key: Buffer, keySource: string): SecretBox {
  if (key.length !== KEY_BYTES) throw new ConfigError(`the secrets key must be ${KEY_BYTES} bytes, got ${key.length} (${keySource})`);
  return {
    keySource,
    seal(secret, context) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(context, 'utf8'));
      const body = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
      return `${SEALED_PREFIX}${iv.toString('base64url')}.${body.toString('base64url')}.${cipher.getAuthTag().toString('base64url')}`;
    },
    open(stored, context) {
      if (!stored.startsWith(SEALED_PREFIX)) return stored;
      const [iv, body, tag] = stored.slice(SEALED_PREFIX.length).split('.');
      if (iv === undefined || body === undefined || tag === undefined) throw new SecretBoxError('a sealed secret is damaged (expected iv.body.tag)');
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
        decipher.setAAD(Buffer.from(context, 'utf8'));
        decipher.setAuthTag(Buffer.from(tag, 'base64url'));
        return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
      } catch {
        throw new SecretBoxError(`a sealed secret does not open with the secrets key from ${keySource}: it was sealed with another key, or for another user`);
      }
    },
    isSealed: (stored) => stored.startsWith(SEALED_PREFIX),
  };
}

/** RISKSTREAM_SECRETS_KEY: 32 bytes as base64 (44 characters) or hex (64 characters). */
export function parseSecretsKey(text: string, source = 'RISKSTREAM_SECRETS_KEY'): Buffer {
  const value = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(value) ? Buffer.from(value, 'hex') : /^[A-Za-z0-9+/_-]{43}=?$/.test(value) ? Buffer.from(value, 'base64') : null;
  if (key === null || key.length !== KEY_BYTES) {
    throw new ConfigError(`${source} must be 32 random bytes as base64 (44 characters) or hex (64 characters); make one with: openssl rand -base64 32`);
  }
  return key;
}

/**
 * The secret box of this installation: the key from RISKSTREAM_SECRETS_KEY when set, else from
 * `<dataDir>/secrets.key`, created (mode 0600) when missing. Processes on other machines must
 * share the key through the environment.
 */
export function loadSecretBox(opts: { readonly secretsKey: string | undefined; readonly dataDir: string }, create = true): SecretBox {
  if (opts.secretsKey) return createSecretBox(parseSecretsKey(opts.secretsKey), 'RISKSTREAM_SECRETS_KEY');
  const path = join(opts.dataDir, SECRETS_KEY_FILE);
  if (!create && !existsSync(path)) {
    // A command line tool run away from the data folder: it must not leave a key of its own there
    // (one that differs from the server's). A key of the moment opens nothing stored, and the user
    // store keeps what it cannot open sealed as it was.
    return createSecretBox(randomBytes(KEY_BYTES), `no ${path} (RISKSTREAM_DATA_DIR) and no RISKSTREAM_SECRETS_KEY`);
  }
  makeFolder(opts.dataDir, 'RISKSTREAM_DATA_DIR');
  // Whole or missing to every reader: written in place, a full disk left an empty key behind that
  // refused every later start, and a second process starting at once could read it half written.
  // An empty one is such a failed write of an earlier version (no key is empty, so nothing was sealed with it): made again.
  if (existsSync(path) && statSync(path).size === 0) rmSync(path, { force: true });
  if (!existsSync(path)) createFileOnce(path, randomBytes(KEY_BYTES).toString('base64') + '\n');
  return createSecretBox(parseSecretsKey(readFileSync(path, 'utf8'), path), path);
}
