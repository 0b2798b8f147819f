// Sealing TOTP secrets: pure crypto and the key file, no services.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SECRETS_KEY_FILE, SecretBoxError, createSecretBox, loadSecretBox, parseSecretsKey } from './secret-box.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'rs-secret-box-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('secret box', () => {
  const box = createSecretBox(randomBytes(32), 'test key');

  it('seals to a different text each time, opens for the same context only', () => {
    const a = box.seal('JBSWY3DPEHPK3PXP', 'ann');
    const b = box.seal('JBSWY3DPEHPK3PXP', 'ann');
    expect(a).not.toBe(b);
    expect(a).not.toContain('JBSWY3DPEHPK3PXP');
    expect(box.isSealed(a)).toBe(true);
    expect(box.open(a, 'ann')).toBe('JBSWY3DPEHPK3PXP');
    expect(box.open(b, 'ann')).toBe('JBSWY3DPEHPK3PXP');
    expect(() => box.open(a, 'bob')).toThrow(SecretBoxError);
  });

  it('refuses another key, a changed byte and a damaged value, naming where the key came from', () => {
    const sealed = box.seal('secret', 'ann');
    expect(() => createSecretBox(randomBytes(32), 'RISKSTREAM_SECRETS_KEY').open(sealed, 'ann')).toThrow(/secrets key from RISKSTREAM_SECRETS_KEY/);
    const [head, body, tag] = sealed.split('.');
    // The first character carries six bits of the first byte: changing it always changes a byte.
    // (This used to replace the second-to-last character with 'A' or 'B' chosen by the last one,
    // which left the value unchanged whenever that character already was the one chosen: 1 in 64.)
    const flipped = `${head}.${body!.startsWith('A') ? 'B' : 'A'}${body!.slice(1)}.${tag}`;
    expect(() => box.open(flipped, 'ann')).toThrow(SecretBoxError);
    expect(() => box.open('rs-aes256gcm:abc', 'ann')).toThrow(/damaged/);
  });

  it('hands back a value that was never sealed', () => {
    expect(box.isSealed('JBSWY3DPEHPK3PXP')).toBe(false);
    expect(box.open('JBSWY3DPEHPK3PXP', 'ann')).toBe('JBSWY3DPEHPK3PXP');
  });

  it('reads RISKSTREAM_SECRETS_KEY as base64 or hex of 32 bytes and says how to make one otherwise', () => {
    const key = randomBytes(32);
    expect(parseSecretsKey(key.toString('base64'))).toEqual(key);
    expect(parseSecretsKey(key.toString('hex'))).toEqual(key);
    expect(parseSecretsKey(` ${key.toString('base64url')}\n`)).toEqual(key);
    for (const bad of ['', 'short', randomBytes(16).toString('base64'), randomBytes(31).toString('hex')]) {
      expect(() => parseSecretsKey(bad)).toThrow(/RISKSTREAM_SECRETS_KEY must be 32 random bytes.*openssl rand -base64 32/);
    }
    expect(() => createSecretBox(randomBytes(16), 'x')).toThrow(/32 bytes/);
  });

  it('takes the key from the environment when set, else creates the key file once (mode 0600) and reads it after', () => {
    const dir = tempDir();
    const fromEnv = loadSecretBox({ secretsKey: randomBytes(32).toString('base64'), dataDir: dir });
    expect(fromEnv.keySource).toBe('RISKSTREAM_SECRETS_KEY');
    expect(() => readFileSync(join(dir, SECRETS_KEY_FILE))).toThrow();

    const first = loadSecretBox({ secretsKey: undefined, dataDir: join(dir, 'data') });
    const path = join(dir, 'data', SECRETS_KEY_FILE);
    expect(first.keySource).toBe(path);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const sealed = first.seal('secret', 'ann');
    const again = loadSecretBox({ secretsKey: undefined, dataDir: join(dir, 'data') });
    expect(again.open(sealed, 'ann')).toBe('secret');
    expect(() => fromEnv.open(sealed, 'ann')).toThrow(SecretBoxError);
  });

  it('makes again an empty key file (a write a full disk cut short left one; no key is empty), and leaves nothing beside the key', () => {
    const dir = join(tempDir(), 'data');
    mkdirSync(dir);
    const path = join(dir, SECRETS_KEY_FILE);
    writeFileSync(path, '', { mode: 0o600 });
    const box = loadSecretBox({ secretsKey: undefined, dataDir: dir });
    expect(box.keySource).toBe(path);
    expect(parseSecretsKey(readFileSync(path, 'utf8'), path)).toHaveLength(32);
    expect(readdirSync(dir)).toEqual([SECRETS_KEY_FILE]);
    // a key that is there but wrong is not replaced: what it sealed would be lost
    writeFileSync(path, 'not a key\n');
    expect(() => loadSecretBox({ secretsKey: undefined, dataDir: dir })).toThrow(/must be 32 random bytes/);
    expect(readFileSync(path, 'utf8')).toBe('not a key\n');
  });

  it('asked not to create one (the users command line tool), leaves no key file behind and opens nothing stored', () => {
    const dir = tempDir();
    const box = loadSecretBox({ secretsKey: undefined, dataDir: join(dir, 'elsewhere') }, false);
    expect(existsSync(join(dir, 'elsewhere'))).toBe(false);
    expect(box.keySource).toMatch(/no .*secrets\.key \(RISKSTREAM_DATA_DIR\) and no RISKSTREAM_SECRETS_KEY/);
    const server = loadSecretBox({ secretsKey: undefined, dataDir: join(dir, 'data') });
    expect(() => box.open(server.seal('secret', 'ann'), 'ann')).toThrow(SecretBoxError);
    // where the key file exists, it is the one read
    expect(loadSecretBox({ secretsKey: undefined, dataDir: join(dir, 'data') }, false).open(server.seal('secret', 'ann'), 'ann')).toBe('secret');
  });
});
