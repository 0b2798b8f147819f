// The users KV store and the first accounts, against a real NATS KV bucket.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kvm } from '@nats-io/kv';
import { RiskstreamError } from '../../../core/index.js';
import { createHarness, type Harness } from '../../../test/harness.js';
import { AdminEnvError, DEMO_USERS, ensureAdminFromEnv, seedDemoUsers } from './first-users.js';
import { verifyPassword } from './password.js';
import { createSecretBox } from './secret-box.js';
import { UNREADABLE_SECRET, createUserStore, type UserStore } from './user-store.js';
import { randomBytes } from 'node:crypto';

let h: Harness;
let store: UserStore;
const SECRETS = createSecretBox(randomBytes(32), 'test key');

beforeAll(async () => {
  h = await createHarness();
  store = await createUserStore(h.bus, { scrypt: { ln: 10, r: 8, p: 1 }, secrets: SECRETS });
});

afterAll(async () => {
  await h?.cleanup();
});

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'resolved';
  } catch (error) {
    return error instanceof RiskstreamError ? error.code : String(error);
  }
}

describe('user store - records', () => {
  it('creates a user under the normalised name with a salted scrypt hash, and finds it by any spelling', async () => {
    const created = await store.create({ username: '  Ada.Lovelace ', password: 'analytical engine', roles: ['auditor', 'risk_monitor', 'auditor'] });
    expect(created).toMatchObject({ username: 'ada.lovelace', displayName: 'ada.lovelace', roles: ['risk_monitor', 'auditor'], disabled: false, totp: null });
    expect(created.passwordHash).toMatch(/^\$scrypt\$ln=10,r=8,p=1\$/);
    const found = await store.get('ADA.LOVELACE');
    expect(found).toEqual(created);
    expect(await verifyPassword('analytical engine', found!.passwordHash)).toBe(true);
    // The key in the bucket is the name itself.
    const kv = await new Kvm(h.bus.nc).open(h.names.kv.users);
    expect((await kv.get('ada.lovelace'))?.json<{ username: string }>().username).toBe('ada.lovelace');
  });

  it('refuses a duplicate name with RS_ERR_CONFLICT, whatever its spelling', async () => {
    await store.create({ username: 'grace', password: 'cobol compiler 1', roles: ['auditor'] });
    expect(await codeOf(store.create({ username: 'Grace', password: 'another password', roles: ['admin'] }))).toBe('RS_ERR_CONFLICT');
    expect((await store.get('grace'))!.roles).toEqual(['auditor']);
  });

  it.each([
    [{ username: 'x', password: 'long enough pass', roles: ['auditor'] }, 'username'],
    [{ username: 'a..b', password: 'long enough pass', roles: ['auditor'] }, 'username'],
    [{ username: 'good.name', password: 'too short', roles: ['auditor'] }, 'password'],
    [{ username: 'good.name', password: 'long enough pass', roles: [] }, 'roles'],
    [{ username: 'good.name', password: 'long enough pass', roles: ['superuser'] }, 'roles'],
  ])('refuses %o naming the field %s', async (user, field) => {
    try {
      await store.create(user as never);
      expect.unreachable();
    } catch (error) {
      expect((error as RiskstreamError).code).toBe('RS_ERR_BAD_REQUEST');
      expect((error as RiskstreamError).message).toMatch(new RegExp(`^/${field}: `));
      expect((error as RiskstreamError).details).toMatchObject({ errors: [{ path: `/${field}` }] });
    }
  });

  it('lists users sorted by name and changes roles, password and the disabled flag', async () => {
    await store.create({ username: 'zed', password: 'zed password 12', roles: ['credit_officer'] });
    const names = (await store.list()).map((u) => u.username);
    expect(names).toEqual([...names].sort());
    expect(names).toEqual(expect.arrayContaining(['ada.lovelace', 'grace', 'zed']));
    expect((await store.updateRoles('zed', ['admin'])).roles).toEqual(['admin']);
    const before = (await store.get('zed'))!.passwordHash;
    const changed = await store.setPassword('zed', 'zed password 34');
    expect(changed.passwordHash).not.toBe(before);
    expect(await verifyPassword('zed password 34', changed.passwordHash)).toBe(true);
    expect((await store.setDisabled('zed', true)).disabled).toBe(true);
    expect(await codeOf(store.setPassword('zed', 'short'))).toBe('RS_ERR_BAD_REQUEST');
    expect(await codeOf(store.updateRoles('nobody', ['admin']))).toBe('RS_ERR_NOT_FOUND');
    expect(await store.get('nobody')).toBeNull();
    expect(await store.get('not a valid name!')).toBeNull();
  });

  it('keeps a pending TOTP secret apart until confirmed, spends each step once, and resets', async () => {
    await store.create({ username: 'tina', password: 'tina password 12', roles: ['auditor'] });
    expect(await codeOf(store.enableTotp('tina', 1))).toBe('RS_ERR_CONFLICT');
    await store.setPendingTotp('tina', 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP');
    expect((await store.get('tina'))!.totp).toBeNull();
    const enabled = await store.enableTotp('tina', 100);
    expect(enabled.totp).toMatchObject({ secret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', lastTimeStep: 100 });
    expect(enabled.totpPending).toBeNull();
    expect(await codeOf(store.setPendingTotp('tina', 'X'))).toBe('RS_ERR_CONFLICT');
    expect(await store.spendTotpStep('tina', 100)).toBe(false);
    expect(await store.spendTotpStep('tina', 99)).toBe(false);
    // Many racing spends of one step: the compare-and-set lets exactly one through.
    const raced = await Promise.all(Array.from({ length: 5 }, () => store.spendTotpStep('tina', 101)));
    expect(raced.filter(Boolean)).toHaveLength(1);
    expect((await store.get('tina'))!.totp!.lastTimeStep).toBe(101);
    expect((await store.resetTotp('tina')).totp).toBeNull();
  });

  it('stores TOTP secrets sealed for their user; another key cannot read them, keeps them sealed on change, and a reset clears them', async () => {
    const secret = 'KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU';
    await store.create({ username: 'sealy', password: 'sealy password 12', roles: ['auditor'] });
    await store.setPendingTotp('sealy', secret);
    await store.enableTotp('sealy', 7);
    const kv = await new Kvm(h.bus.nc).open(h.names.kv.users);
    const raw = (await kv.get('sealy'))!.string();
    expect(raw).not.toContain(secret);
    const sealed = JSON.parse(raw).totp.secret as string;
    expect(sealed).toMatch(/^rs-aes256gcm:/);
    // Sealed for this user: copied into another user's record it does not open.
    expect(() => SECRETS.open(sealed, 'someone.else')).toThrow(/does not open/);
    expect((await store.get('sealy'))!.totp!.secret).toBe(secret);

    // A process with another key (the key file was lost): no secret to check codes against ...
    const otherKey = await createUserStore(h.bus, { scrypt: { ln: 10, r: 8, p: 1 }, secrets: createSecretBox(randomBytes(32), 'another key') });
    expect((await otherKey.get('sealy'))!.totp!.secret).toBe(UNREADABLE_SECRET);
    // ... and changing the record there keeps the sealed value, so the right key still opens it.
    await otherKey.setDisabled('sealy', false);
    await otherKey.updateRoles('sealy', ['auditor', 'risk_monitor']);
    expect(JSON.parse((await kv.get('sealy'))!.string()).totp.secret).toBe(sealed);
    expect((await store.get('sealy'))!.totp).toMatchObject({ secret, lastTimeStep: 7 });
    expect((await otherKey.resetTotp('sealy')).totp).toBeNull();
  });

  it('reads a TOTP secret stored before secrets were sealed, and seals it at the next change', async () => {
    await store.create({ username: 'legacy', password: 'legacy password 1', roles: ['auditor'] });
    const kv = await new Kvm(h.bus.nc).open(h.names.kv.users);
    const entry = (await kv.get('legacy'))!;
    const plain = { ...JSON.parse(entry.string()), totp: { secret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', enabledAt: 1, lastTimeStep: 5 } };
    await kv.update('legacy', JSON.stringify(plain), entry.revision);
    expect((await store.get('legacy'))!.totp!.secret).toBe('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP');
    expect(await store.spendTotpStep('legacy', 6)).toBe(true);
    expect(JSON.parse((await kv.get('legacy'))!.string()).totp.secret).toMatch(/^rs-aes256gcm:/);
    expect((await store.get('legacy'))!.totp).toMatchObject({ secret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', lastTimeStep: 6 });
  });
});

describe('first users - admin from the environment', () => {
  it('creates the admin once and leaves it alone afterwards', async () => {
    const env = { RISKSTREAM_ADMIN_USER: 'Root.Admin', RISKSTREAM_ADMIN_PASSWORD: 'first admin password' };
    expect(await ensureAdminFromEnv(store, env)).toEqual({ created: true, username: 'root.admin', passwordApplied: true });
    expect((await store.get('root.admin'))!.roles).toEqual(['admin']);
    // a restart with the same environment: nothing to say
    expect(await ensureAdminFromEnv(store, env)).toEqual({ created: false, username: 'root.admin', passwordApplied: true });
    await store.setPassword('root.admin', 'changed later by the admin');
    // the environment's password is not re-applied, and the caller learns it (to warn)
    expect(await ensureAdminFromEnv(store, env)).toEqual({ created: false, username: 'root.admin', passwordApplied: false });
    expect(await verifyPassword('changed later by the admin', (await store.get('root.admin'))!.passwordHash)).toBe(true);
  });

  it.each([
    [{}, null],
    [{ RISKSTREAM_ADMIN_USER: 'someone' }, 'both'],
    [{ RISKSTREAM_ADMIN_PASSWORD: 'a password long enough' }, 'both'],
    [{ RISKSTREAM_ADMIN_USER: 'someone', RISKSTREAM_ADMIN_PASSWORD: 'short' }, 'at least 12'],
    [{ RISKSTREAM_ADMIN_USER: 'bad name!', RISKSTREAM_ADMIN_PASSWORD: 'a password long enough' }, 'RISKSTREAM_ADMIN_USER'],
  ])('with %o answers null or fails mentioning %s', async (env, problem) => {
    if (problem === null) {
      expect(await ensureAdminFromEnv(store, env)).toBeNull();
      return;
    }
    await expect(ensureAdminFromEnv(store, env)).rejects.toThrow(AdminEnvError);
    await expect(ensureAdminFromEnv(store, env)).rejects.toThrow(problem);
  });
});

describe('first users - demo users', () => {
  it('creates one user per role with random passwords and returns only those it created', async () => {
    await store.create({ username: 'monitor', password: 'already here 123', roles: ['risk_monitor'] });
    const created = await seedDemoUsers(store);
    expect(created.map((u) => u.username)).toEqual(['admin', 'compliance', 'supervisor', 'credit', 'auditor']);
    for (const user of created) {
      const record = (await store.get(user.username))!;
      expect(record.roles).toEqual(user.roles);
      expect(await verifyPassword(user.password, record.passwordHash)).toBe(true);
    }
    expect(new Set(created.map((u) => u.password)).size).toBe(created.length);
    const roles = DEMO_USERS.flatMap((u) => u.roles);
    expect(new Set(roles).size).toBe(6);
    // The existing user kept its password.
    expect(await verifyPassword('already here 123', (await store.get('monitor'))!.passwordHash)).toBe(true);
    expect(await seedDemoUsers(store)).toEqual([]);
  });
});
