// The functions behind `riskstream users …`, against real NATS KV and Redis in a test namespace.
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RiskstreamError, connectBus, deleteNamespace, names as namesOf } from '../core/index.js';
import { createHarness, uniqueNamespace, type Harness } from '../test/harness.js';
import { createSessionStore } from '../dashboard/server/auth/index.js';
import { verifyPassword } from '../dashboard/server/auth/password.js';
import { failureText } from './cli-failure.js';
import { UsersCommandError, parseRoleOptions, type PasswordSource, readPassword, usersAdd, usersList, usersPasswd, usersResetTotp, usersSetDisabled, usersUnlock, withUsersContext } from './users.js';

let h: Harness;

beforeAll(async () => {
  h = await createHarness();
});

afterAll(async () => {
  await h?.cleanup();
});

/** A password source that answers `password` (null: generate one), as readPassword would. */
function given(password: string | null): PasswordSource {
  return async () => password;
}

/** A password source that must not be asked: the command should have stopped before its prompt. */
function neverAsked(): PasswordSource & { readonly asked: number } {
  const source = Object.assign(async () => {
    source.asked++;
    return 'a long password 1';
  }, { asked: 0 });
  return source;
}

function capture(): { out: (line: string) => void; lines: string[] } {
  const lines: string[] = [];
  return { out: (line) => void lines.push(line), lines };
}

describe('users command - add and list', () => {
  it('adds a user with a given password without printing it, and one with a generated password that it prints once', async () => {
    const chosen = capture();
    await withUsersContext(h.config, (ctx) => usersAdd(ctx, 'Alice', { roles: ['admin'], displayName: 'Alice A.', password: given('alice password 1') }, chosen.out));
    expect(chosen.lines).toEqual(['created alice (admin)']);

    const generated = capture();
    await withUsersContext(h.config, (ctx) => usersAdd(ctx, 'bob', { roles: ['auditor', 'credit_officer'], password: given(null) }, generated.out));
    expect(generated.lines[0]).toBe('created bob (credit_officer, auditor)');
    const password = /^password: (\S+)/.exec(generated.lines[1]!)![1]!;
    const bob = await withUsersContext(h.config, (ctx) => ctx.users.get('bob'));
    expect(await verifyPassword(password, bob!.passwordHash)).toBe(true);
    expect(bob!.passwordHash).toMatch(/^\$scrypt\$ln=15,r=8,p=3\$/);

    await expect(withUsersContext(h.config, (ctx) => usersAdd(ctx, 'alice', { roles: ['auditor'], password: given(null) }, () => undefined))).rejects.toMatchObject({
      code: 'RS_ERR_CONFLICT',
    });
  });

  // before: the password was typed twice at the terminal, then the name was refused ('the user alice
  // already exists', without the namespace or the command meant)
  it('refuses a name that is taken or not a user name before it asks for the password', async () => {
    const password = neverAsked();
    await expect(withUsersContext(h.config, (ctx) => usersAdd(ctx, 'ALICE', { roles: ['auditor'], password }, () => undefined))).rejects.toThrow(
      new RiskstreamError('RS_ERR_CONFLICT', `the user "alice" already exists in namespace "${h.namespace}" (\`riskstream users passwd alice\` sets a new password)`),
    );
    const refusal = await withUsersContext(h.config, (ctx) => usersAdd(ctx, 'bad name!', { roles: ['auditor'], password }, () => undefined)).catch((error: unknown) => error);
    expect(failureText(refusal, 'riskstream users add')).toBe('"bad name!": the user name may hold only a-z, 0-9 and single . _ - between them\n(see riskstream users add --help)');
    expect(password.asked).toBe(0);
  });

  it('lists users with roles, second factor and state, and no secrets', async () => {
    const { out, lines } = capture();
    await withUsersContext(h.config, async (ctx) => {
      for (let i = 0; i < 5; i++) await ctx.throttle.recordFailure('bob');
      await usersList(ctx, out);
    });
    expect(lines[0]).toMatch(/^USER\s+ROLES\s+TOTP\s+STATE$/);
    expect(lines.find((l) => l.startsWith('alice'))).toMatch(/^alice\s+admin\s+off\s+active$/);
    expect(lines.find((l) => l.startsWith('bob'))).toMatch(/^bob\s+credit_officer,auditor\s+off\s+locked$/);
    expect(lines.join('\n')).not.toContain('scrypt');

    const unlocked = capture();
    await withUsersContext(h.config, (ctx) => usersUnlock(ctx, 'BOB', unlocked.out));
    expect(unlocked.lines).toEqual(['bob unlocked']);
    expect(await withUsersContext(h.config, (ctx) => ctx.throttle.lockedFor('bob'))).toBe(0);
  });
});

describe('users command - passwd and reset-totp', () => {
  it('sets a new password and ends the sessions of the user', async () => {
    const sessions = createSessionStore(h.redis, h.names.redisPrefix);
    const { id } = await sessions.create('alice');
    const { out, lines } = capture();
    await withUsersContext(h.config, (ctx) => usersPasswd(ctx, 'alice', given('alice password 2'), out));
    expect(lines).toEqual(['password of alice changed; 1 session ended']);
    expect(await sessions.get(id)).toBeNull();
    const alice = await withUsersContext(h.config, (ctx) => ctx.users.get('alice'));
    expect(await verifyPassword('alice password 2', alice!.passwordHash)).toBe(true);
  });

  // before: 'no user nobody', which did not say where it was looked for (the common cause: another RISKSTREAM_NAMESPACE)
  it('names the namespace of a user it does not find, whatever the command', async () => {
    const missing = `no user "nobody" in namespace "${h.namespace}" (is RISKSTREAM_NAMESPACE that of the riskstream they sign in to? \`riskstream users list\` shows its users)`;
    const { out, lines } = capture();
    await expect(withUsersContext(h.config, (ctx) => usersPasswd(ctx, 'nobody', given('a long password 1'), out))).rejects.toThrow(new UsersCommandError(missing));
    await expect(withUsersContext(h.config, (ctx) => usersResetTotp(ctx, 'nobody', out))).rejects.toThrow(new UsersCommandError(missing));
    await expect(withUsersContext(h.config, (ctx) => usersSetDisabled(ctx, 'nobody', true, out))).rejects.toThrow(new UsersCommandError(missing));
    await expect(withUsersContext(h.config, (ctx) => usersSetDisabled(ctx, 'nobody', false, out))).rejects.toThrow(new UsersCommandError(missing));
    // unless the name is locked (below): before, 'nobody unlocked (no user has that name yet)', for a name with nothing to unlock
    await expect(withUsersContext(h.config, (ctx) => usersUnlock(ctx, 'nobody', out))).rejects.toThrow(new UsersCommandError(missing));
    expect(lines).toEqual([]);
    expect(await withUsersContext(h.config, (ctx) => ctx.users.get('nobody'))).toBeNull();
  });

  // before: at a terminal the new password was typed twice, and only then was the user not found
  it('looks the user up before it asks for the new password', async () => {
    const password = neverAsked();
    await expect(withUsersContext(h.config, (ctx) => usersPasswd(ctx, 'nobody', password, () => undefined))).rejects.toThrow(UsersCommandError);
    expect(password.asked).toBe(0);
  });

  it('removes the second factor', async () => {
    await withUsersContext(h.config, async (ctx) => {
      await ctx.users.setPendingTotp('alice', 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP');
      await ctx.users.enableTotp('alice', 1);
    });
    const { out, lines } = capture();
    await withUsersContext(h.config, (ctx) => usersResetTotp(ctx, 'alice', out));
    expect(lines[0]).toContain('second factor of alice removed');
    expect((await withUsersContext(h.config, (ctx) => ctx.users.get('alice')))!.totp).toBeNull();
    // nothing to remove: said so, not 'removed'
    await withUsersContext(h.config, (ctx) => usersResetTotp(ctx, 'alice', out));
    expect(lines.at(-1)).toBe('alice has no second factor; nothing to remove');
  });
});

describe('users command - disable, enable, unlock', () => {
  it('disables a user and ends their sessions, enables them again, and says when nothing changes', async () => {
    const sessions = createSessionStore(h.redis, h.names.redisPrefix);
    const { id } = await sessions.create('alice');
    const { out, lines } = capture();
    await withUsersContext(h.config, (ctx) => usersSetDisabled(ctx, 'alice', true, out));
    await withUsersContext(h.config, (ctx) => usersSetDisabled(ctx, 'alice', true, out));
    expect(await sessions.get(id)).toBeNull();
    expect((await withUsersContext(h.config, (ctx) => ctx.users.get('alice')))!.disabled).toBe(true);
    await withUsersContext(h.config, (ctx) => usersSetDisabled(ctx, 'alice', false, out));
    expect((await withUsersContext(h.config, (ctx) => ctx.users.get('alice')))!.disabled).toBe(false);
    expect(lines).toEqual(['alice disabled; 1 session ended', 'alice is already disabled', 'alice enabled']);
    await expect(withUsersContext(h.config, (ctx) => usersSetDisabled(ctx, 'nobody', true, out))).rejects.toThrow(UsersCommandError);
  });

  it('unlocks a name that was locked before any user had it', async () => {
    const { out, lines } = capture();
    await withUsersContext(h.config, async (ctx) => {
      for (let i = 0; i < 5; i++) await ctx.throttle.recordFailure('ghostly');
      expect(await ctx.throttle.lockedFor('ghostly')).toBeGreaterThan(0);
      await usersUnlock(ctx, 'Ghostly', out);
      expect(await ctx.throttle.lockedFor('ghostly')).toBe(0);
    });
    expect(lines).toEqual(['Ghostly unlocked (no user has that name yet)']);
  });

  // before: 'alice unlocked', which read as if she had been locked out
  it('says when a user was not locked out', async () => {
    const { out, lines } = capture();
    await withUsersContext(h.config, (ctx) => usersUnlock(ctx, 'Alice', out));
    expect(lines).toEqual(['alice was not locked out; nothing to lift']);
  });
});

describe('users command - arguments', () => {
  it.each([
    [['admin'], null],
    [['risk_monitor', 'auditor'], null],
    [[], 'give at least one --role (admin, risk_monitor, compliance_officer, compliance_supervisor, credit_officer, auditor)'],
    [['admin', 'root'], '--role: unknown role "root" (one of admin, risk_monitor, compliance_officer, compliance_supervisor, credit_officer, auditor)'],
    // before: 'unknown role "monitr"; roles are: …', leaving the reader to find the one meant
    [['monitr'], '--role: unknown role "monitr"; did you mean risk_monitor? (one of admin, risk_monitor, compliance_officer, compliance_supervisor, credit_officer, auditor)'],
    [['auditr'], '--role: unknown role "auditr"; did you mean auditor? (one of admin, risk_monitor, compliance_officer, compliance_supervisor, credit_officer, auditor)'],
    [['officer'], '--role: unknown role "officer"; did you mean compliance_officer or credit_officer? (one of admin, risk_monitor, compliance_officer, compliance_supervisor, credit_officer, auditor)'],
  ])('roles %j: %s', (values, problem) => {
    if (problem === null) {
      expect(parseRoleOptions(values)).toEqual(values);
      return;
    }
    const error = (() => {
      try {
        return parseRoleOptions(values);
      } catch (refusal) {
        return refusal;
      }
    })();
    // a mistake of the command line: the message, then where the help is
    expect(failureText(error, 'riskstream users add')).toBe(`${problem}\n(see riskstream users add --help)`);
  });

  it('reads the password from stdin, refuses a short or empty one, and generates when there is no terminal', async () => {
    expect(await readPassword({ passwordStdin: true }, Readable.from(['piped password 1\n']))).toBe('piped password 1');
    await expect(readPassword({ passwordStdin: true }, Readable.from(['short\n']))).rejects.toThrow(UsersCommandError);
    await expect(readPassword({ passwordStdin: true }, Readable.from(['']))).rejects.toThrow('empty');
    expect(await readPassword({}, Readable.from(['ignored']))).toBeNull();
  });
});

describe('users command - a namespace that has not started', () => {
  async function streamsOf(namespace: string): Promise<string[]> {
    const found: string[] = [];
    for await (const name of h.bus.jsm.streams.names()) if (name.toLowerCase().includes(namespace)) found.push(name);
    return found.sort();
  }

  it('refuses every command but add, creating nothing (a typo in RISKSTREAM_NAMESPACE reserved gigabytes)', async () => {
    const namespace = uniqueNamespace('typo');
    const config = { ...h.config, namespace };
    const refused = `has no bucket ${namespace}_users: namespace "${namespace}" has not started yet (is RISKSTREAM_NAMESPACE right?)`;
    await expect(withUsersContext(config, (ctx) => usersList(ctx, () => undefined))).rejects.toThrow(UsersCommandError);
    await expect(withUsersContext(config, (ctx) => usersList(ctx, () => undefined))).rejects.toThrow(refused);
    await expect(withUsersContext(config, (ctx) => usersUnlock(ctx, 'alice', () => undefined))).rejects.toThrow(refused);
    await expect(withUsersContext(config, (ctx) => usersPasswd(ctx, 'alice', given('a long password 1'), () => undefined))).rejects.toThrow(refused);
    expect(await streamsOf(namespace)).toEqual([]);
  });

  it('add creates the users bucket alone, says so, and the user is there at the first start', async () => {
    const namespace = uniqueNamespace('early');
    const config = { ...h.config, namespace };
    const bus = await connectBus(config.natsUrl, namesOf(namespace), 'test:users-early');
    try {
      const notices: string[] = [];
      const { out, lines } = capture();
      await withUsersContext(config, (ctx) => usersAdd(ctx, 'root', { roles: ['admin'], password: given('root password 1') }, out), { mode: 'create-bucket', notice: (l) => notices.push(l) });
      expect(lines).toEqual(['created root (admin)']);
      expect(notices).toEqual([`namespace "${namespace}" has not started yet: created its users bucket ${namespace}_users only (is RISKSTREAM_NAMESPACE right? \`riskstream reset --yes\` removes it)`]);
      expect(await streamsOf(namespace)).toEqual([`KV_${namespace}_users`]);
      // now there: no notice, and the other commands work
      await withUsersContext(config, (ctx) => usersAdd(ctx, 'second', { roles: ['auditor'], password: given('second password') }, () => undefined), { mode: 'create-bucket', notice: (l) => notices.push(l) });
      expect(notices).toHaveLength(1);
      const listed = capture();
      await withUsersContext(config, (ctx) => usersList(ctx, listed.out));
      expect(listed.lines.some((l) => /^root\s+admin\s+off\s+active$/.test(l))).toBe(true);
    } finally {
      await deleteNamespace(bus);
      await bus.nc.close();
    }
  });
});
