// Backup and restore of the namespace's KV buckets against the real NATS: users backed up from one
// namespace sign in after a restore into another (or into the same one after NATS lost its store),
// nothing that exists is overwritten unless asked, and a damaged file restores nothing.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kvm } from '@nats-io/kv';
import { names as namesOf, sourcePath } from '../core/index.js';
import { createHarness, NATS_URL, REDIS_URL, type Harness } from '../test/harness.js';
import { createSecretBox, createUserStore, type UserStore } from '../dashboard/server/auth/index.js';
import { verifyPassword } from '../dashboard/server/auth/password.js';
import { BACKUP_FORMAT, BackupFileError, readBackup, restoreBackup, runRestoreCommand, withBackupOutput, writeBackup } from './backup.js';

let a: Harness;
let b: Harness;
let usersA: UserStore;
let usersB: UserStore;
let folder: string;

beforeAll(async () => {
  // here, not as the file loads: a run that filters this file's tests out (-t) skips its hooks
  folder = mkdtempSync(join(tmpdir(), 'riskstream-backup-'));
  [a, b] = await Promise.all([createHarness(), createHarness()]);
  // One installation's secrets key for both: a backup restores where the same key opens its TOTP secrets.
  const options = { scrypt: { ln: 10, r: 8, p: 1 }, secrets: createSecretBox(randomBytes(32), 'test key') };
  [usersA, usersB] = await Promise.all([createUserStore(a.bus, options), createUserStore(b.bus, options)]);
  await usersA.create({ username: 'ann', displayName: 'Ann Lee', password: 'ann-password-123456', roles: ['admin'] });
  await usersA.create({ username: 'bo', displayName: 'Bo Chen', password: 'bo-password-1234567', roles: ['risk_monitor'] });
  await new Kvm(a.bus.nc).open(a.names.kv.config).then((kv) => kv.put('thresholds', JSON.stringify({ review: 500 })));
});

afterAll(async () => {
  await Promise.all([a?.cleanup(), b?.cleanup()]);
  if (folder) rmSync(folder, { recursive: true, force: true });
});

async function backupText(h: Harness): Promise<string> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await writeBackup(h.bus, out, new Date('2026-12-06T04:00:00.000Z'));
  out.end();
  return Buffer.concat(chunks).toString('utf8');
}

async function* linesOfText(text: string): AsyncIterable<string> {
  yield* text.split('\n');
}

describe('backup and restore', () => {
  it('backs up every key with a header, and restores users that sign in with their passwords into another namespace', async () => {
    const text = await backupText(a);
    const lines = text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines[0]).toEqual({ format: BACKUP_FORMAT, v: 2, namespace: a.namespace, createdAt: '2026-12-06T04:00:00.000Z', buckets: ['cases', 'lists', 'config', 'users'] });
    expect(lines.slice(1, -1).map((l) => `${String(l.bucket)}/${String(l.key)}`)).toEqual(['config/thresholds', 'users/ann', 'users/bo']);
    // the end line counts the keys, so that a file cut short is told from a whole one
    expect(lines.at(-1)).toEqual({ end: true, keys: 3 });

    const summary = await restoreBackup(b.bus, await readBackup(linesOfText(text)));
    expect(summary.buckets.users).toEqual({ restored: 2, replaced: 0, kept: 0 });
    expect(summary.buckets.config).toEqual({ restored: 1, replaced: 0, kept: 0 });
    const ann = await usersB.get('ann');
    expect(ann?.roles).toEqual(['admin']);
    expect(await verifyPassword('ann-password-123456', ann!.passwordHash)).toBe(true);
    const config = await (await new Kvm(b.bus.nc).open(b.names.kv.config)).get('thresholds');
    expect(config?.string()).toBe('{"review":500}');
  });

  it('restores into a namespace not started creating its KV buckets alone, not its streams (they reserve gigabytes), and says so', async () => {
    const file = join(folder, 'fresh.ndjson');
    writeFileSync(file, await backupText(a));
    const namespace = `t_fresh_${randomBytes(4).toString('hex')}`;
    const fresh = namesOf(namespace);
    const printed: string[] = [];
    try {
      await runRestoreCommand({ ...a.config, namespace }, file, { replace: false }, (line) => void printed.push(line));
      for (const stream of Object.values(fresh.streams)) await expect(a.bus.jsm.streams.info(stream)).rejects.toThrow(/not found/);
      for (const bucket of Object.values(fresh.kv)) expect((await a.bus.jsm.streams.info(`KV_${bucket}`)).config.name).toBe(`KV_${bucket}`);
      expect(printed).toContain('users: 2 restored, 0 replaced, 0 kept as they are');
      expect(printed).toContain(
        `  (namespace "${namespace}" has no streams on this NATS — not started yet, or NATS lost its store: its KV buckets were created, and its streams come with its next start; is RISKSTREAM_NAMESPACE right? \`riskstream reset --yes\` removes them)`,
      );
    } finally {
      for (const bucket of Object.values(fresh.kv)) await a.bus.jsm.streams.delete(`KV_${bucket}`).catch(() => undefined);
      for (const stream of Object.values(fresh.streams)) await a.bus.jsm.streams.delete(stream).catch(() => undefined);
    }
  });

  it('keeps what exists unless --replace, and says so', async () => {
    await usersB.setPassword('bo', 'bo-changed-password-99');
    const backup = await readBackup(linesOfText(await backupText(a)));
    const kept = await restoreBackup(b.bus, backup);
    expect(kept.buckets.users).toEqual({ restored: 0, replaced: 0, kept: 2 });
    expect(await verifyPassword('bo-changed-password-99', (await usersB.get('bo'))!.passwordHash)).toBe(true);
    const replaced = await restoreBackup(b.bus, backup, { replace: true });
    expect(replaced.buckets.users).toEqual({ restored: 0, replaced: 2, kept: 0 });
    expect(await verifyPassword('bo-password-1234567', (await usersB.get('bo'))!.passwordHash)).toBe(true);
  });

  it('leaves deleted keys out', async () => {
    const kv = await new Kvm(a.bus.nc).open(a.names.kv.lists);
    await kv.put('gone', 'x');
    await kv.delete('gone');
    expect(await backupText(a)).not.toContain('"gone"');
  });

  const user = (name: string, fields: Record<string, unknown> = {}): string =>
    JSON.stringify({ bucket: 'users', key: name, value: Buffer.from(JSON.stringify({ v: 1, username: name, roles: ['auditor'], passwordHash: '$scrypt$ln=15,r=8,p=1$x$y', disabled: false, ...fields })).toString('base64') });
  it.each([
    ['', /the file is empty/],
    ['{"format":"something-else"}', /^line 1: not a riskstream backup header \(.*\): the file is not a riskstream backup, whose first line is its header, \{"format":"riskstream-kv-backup","v":2,.*\}; give a file written by `riskstream backup`$/],
    // another file given by mistake: before, 'line 1: not JSON (…)' alone, which did not say that it is no backup
    ['step,type,amount\n1,PAYMENT,9.5', /^line 1: not JSON \(.*\): the file is not a riskstream backup, whose first line is its header, \{"format":"riskstream-kv-backup","v":2,"namespace":"…","createdAt":"…","buckets":\[…\]\}; give a file written by `riskstream backup`$/],
    ['\n\nPK\u0003\u0004', /^line 3: not JSON \(.*\): the file is not a riskstream backup, whose first line is its header/],
    // a line after the header that is not JSON is damage to a backup, not another file
    [`${header()}\n{"bucket":"lists","key":"x","value":"eA=="}\nnot json`, /^line 3: not JSON \([^:]*\)$/],
    [`${header()}\n{"bucket":"secrets","key":"x","value":"eA=="}`, /^line 2: \/bucket /],
    [`${header()}\n{"bucket":"lists","key":"x","value":"not base64!"}`, /^line 2: \/value must match pattern/],
    [`${header()}\n{"bucket":"lists","key":"x","value":"eA=="}\n{"bucket":"lists","key":"x","value":"eQ=="}`, /^line 3: the key "x" of lists appears twice/],
    // what NATS would refuse half-way through the restore
    [`${header()}\n{"bucket":"lists","key":"zz top*","value":"eA=="}`, /^line 2: \/key must match pattern/],
    // users that sign-in and `users list` could not read, or that an edited file would grant
    [`${header()}\n{"bucket":"users","key":"x","value":"eA=="}`, /^line 2: the user "x" is not a JSON record/],
    [`${header()}\n${user('dave', { username: 'eve' })}`, /^line 2: the user "dave" is stored under another name \("eve"\)/],
    [`${header()}\n${user('dave', { roles: ['root'] })}`, /^line 2: the user "dave" unknown role root/],
    // cut short, edited, joined
    [`${header()}\n${user('dave')}`, /^the file ends at line 2 without its end line: it was cut short \(1 keys read\)/],
    [`${header()}\n${user('dave')}\n{"end":true,"keys":2}`, /^line 3: the end line counts 2 keys, the file holds 1; it was edited/],
    [`${header()}\n${user('dave')}\n{"end":true,"keys":1}\n${user('eve')}`, /^line 4: after the end line/],
  ])('refuses a damaged file before restoring anything: %#', async (text, message) => {
    await expect(readBackup(linesOfText(text))).rejects.toThrow(BackupFileError);
    await expect(readBackup(linesOfText(text))).rejects.toThrow(message);
  });
});

function header(v = 2): string {
  return JSON.stringify({ format: BACKUP_FORMAT, v, namespace: 'rs', createdAt: '2026-12-06T04:00:00.000Z', buckets: ['users'] });
}

describe('backup and restore - stdout', () => {
  it('fails, saying so, when the reader of stdout goes away before the backup is whole (a listing would end quietly)', async () => {
    const closed = new Writable({
      write(_chunk, _encoding, callback) {
        callback(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
      },
    });
    closed.on('error', () => undefined); // as the CLI's own handler of stdout does
    await expect(withBackupOutput('-', (out) => writeBackup(a.bus, out), closed)).rejects.toThrow(
      new BackupFileError('stdout was closed before the backup was complete: what its reader got is cut off and cannot be restored; write it to a file instead, or keep the reader open'),
    );
  });
});

describe('backup and restore - files of format 1', () => {
  it('reads a backup without an end line, and says that whether it was cut short cannot be checked', async () => {
    const backup = await readBackup(linesOfText(`${header(1)}\n{"bucket":"lists","key":"x","value":"eA=="}\n`));
    expect(backup).toMatchObject({ unchecked: true, entries: [{ bucket: 'lists', key: 'x' }] });
  });
});

// Each test starts the CLI several times: seconds a start on a loaded host, where four starts took
// 15 s of the default 30 with two suites at once.
describe('backup and restore - the commands', { timeout: 90_000 }, () => {
  const run = promisify(execFile);
  async function riskstream(args: string[], namespace: string): Promise<{ code: number; out: string }> {
    try {
      const { stdout, stderr } = await run(process.execPath, [sourcePath('dist', 'bin', 'riskstream.js'), ...args], {
        env: { ...process.env, NATS_URL, REDIS_URL, RISKSTREAM_NAMESPACE: namespace, LOG_LEVEL: 'silent' },
        timeout: 30_000,
      });
      return { code: 0, out: stdout + stderr };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, out: e.stdout + e.stderr };
    }
  }

  it('writes a file only its owner can read, will not overwrite one, and restores it', async () => {
    const file = join(folder, 'users.ndjson');
    const backedUp = await riskstream(['backup', file], a.namespace);
    expect(backedUp.out).toMatch(/^backed up 3 keys \(cases 0, lists 0, config 1, users 2\) to .*users\.ndjson$/m);
    expect(backedUp.code).toBe(0);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toContain('"users"');

    const again = await riskstream(['backup', file], a.namespace);
    expect(again.code).toBe(1);
    expect(again.out).toMatch(/riskstream: .*users\.ndjson exists; choose another name or remove it first/);

    const restored = await riskstream(['restore', file], b.namespace);
    expect(restored.code).toBe(0);
    expect(restored.out).toContain(`(backed up from namespace "${a.namespace}") into namespace "${b.namespace}"`);
    expect(restored.out).toMatch(/users: 0 restored, 0 replaced, 2 kept as they are/);
    expect(restored.out).toMatch(/--replace puts the backup's values over them/);
  });

  it('says what is wrong with a missing or damaged file, and a namespace with nothing to back up', async () => {
    const missing = await riskstream(['restore', join(folder, 'nope.ndjson')], b.namespace);
    expect(missing.code).toBe(1);
    expect(missing.out).toMatch(/^riskstream: .*nope\.ndjson: no such file$/m);

    const damaged = join(folder, 'damaged.ndjson');
    writeFileSync(damaged, `${header()}\n{"bucket":"users"}\n`);
    const refused = await riskstream(['restore', damaged], b.namespace);
    expect(refused.code).toBe(1);
    expect(refused.out).toMatch(/^riskstream: line 2: \/ must have required property 'key'/m);

    const nowhere = await riskstream(['backup', join(folder, 'no-such-folder', 'x.ndjson')], a.namespace);
    expect(nowhere.code).toBe(1);
    expect(nowhere.out).toMatch(/^riskstream: cannot write .*no-such-folder\/x\.ndjson \(ENOENT\); choose a folder that exists/m);

    const empty = await riskstream(['backup', join(folder, 'none.ndjson')], 'nothing_here_ns');
    expect(empty.code).toBe(1);
    expect(empty.out).toMatch(/has no bucket nothing_here_ns_cases: nothing of namespace "nothing_here_ns" to back up/);
  });
});
