// Users in the NATS KV bucket names.kv.users, one JSON record per normalised user name. Every change
// is a compare-and-set on the key's revision, so two processes (or two admins) never overwrite each
// other silently.
import { Kvm, type KV } from '@nats-io/kv';
import { RiskstreamError, type Bus } from '../../../core/index.js';
import type { UserRole } from '../protocol.js';
import { DEFAULT_SCRYPT_PARAMS, hashPassword, passwordProblem, type ScryptParams } from './password.js';
import { SecretBoxError, type SecretBox } from './secret-box.js';
import { canonicalRoles, normaliseUsername, rolesProblem, usernameProblem } from './username.js';
import type { NewUser, UserRecord } from './types.js';

export type UserStore = {
  /** The scrypt parameters new hashes get; a sign-in re-hashes passwords stored under weaker ones. */
  readonly scrypt: ScryptParams;
  /** Creates a user; RS_ERR_CONFLICT when the name is taken, RS_ERR_BAD_REQUEST for a bad name, password or role. */
  create(user: NewUser): Promise<UserRecord>;
  /** The user, or null. The name is normalised first. */
  get(username: string): Promise<UserRecord | null>;
  list(): Promise<UserRecord[]>;
  updateRoles(username: string, roles: readonly UserRole[]): Promise<UserRecord>;
  setPassword(username: string, password: string): Promise<UserRecord>;
  /** Stores an already computed hash (re-hashing under stronger parameters at sign-in). */
  replacePasswordHash(username: string, expectedHash: string, newHash: string): Promise<void>;
  setDisabled(username: string, disabled: boolean): Promise<UserRecord>;
  /** Keeps a secret handed out for enrolment until a code confirms it. */
  setPendingTotp(username: string, secret: string): Promise<UserRecord>;
  /** Makes the pending secret the active one, remembering the step of the confirming code. */
  enableTotp(username: string, confirmedTimeStep: number): Promise<UserRecord>;
  /** Removes the second factor (admin reset); the user can enrol again. */
  resetTotp(username: string): Promise<UserRecord>;
  /**
   * Spends a code's time step: false when this or a later step was already spent (the code is a replay,
   * possibly racing another sign-in with the same code).
   */
  spendTotpStep(username: string, timeStep: number): Promise<boolean>;
};

export type UserStoreOptions = {
  readonly scrypt?: ScryptParams;
  /** Seals TOTP secrets before they are stored, opens them when read (secret-box.ts). */
  readonly secrets: SecretBox;
};

/**
 * What a record holds in place of a TOTP secret that does not open with this installation's key
 * (the key was replaced): no code can match it, and sign-in answers RS_ERR_TOTP_UNAVAILABLE.
 * Stored records keep the sealed value, so restoring the key brings the secret back.
 */
export const UNREADABLE_SECRET = '';

export async function createUserStore(bus: Bus, options: UserStoreOptions): Promise<UserStore> {
  // The bucket is created by ensureStreams(); open() binds to it.
  const kv = await new Kvm(bus.nc).open(bus.names.kv.users);
  return new KvUserStore(kv, options.scrypt ?? DEFAULT_SCRYPT_PARAMS, options.secrets);
}

type Stored = { readonly record: UserRecord; readonly stored: UserRecord; readonly revision: number };

/** Shaped like the other 400 answers (docs/errors.md): the message and `details.errors` name the field. */
function badRequest(message: string, field: string): RiskstreamError {
  return new RiskstreamError('RS_ERR_BAD_REQUEST', `/${field}: ${message}`, { errors: [{ path: `/${field}`, rule: 'invalid', message }] });
}

function notFound(username: string): RiskstreamError {
  return new RiskstreamError('RS_ERR_NOT_FOUND', `no user ${username}`);
}

function isWrongRevision(error: unknown): boolean {
  return /wrong last sequence|key exists/i.test((error as Error)?.message ?? '');
}

class KvUserStore implements UserStore {
  readonly scrypt: ScryptParams;
  private readonly _kv: KV;
  private readonly _secrets: SecretBox;

  constructor(kv: KV, scrypt: ScryptParams, secrets: SecretBox) {
    this._kv = kv;
    this.scrypt = scrypt;
    this._secrets = secrets;
  }

  async create(user: NewUser): Promise<UserRecord> {
    const username = normaliseUsername(user.username);
    const nameProblem = usernameProblem(username);
    if (nameProblem) throw badRequest(nameProblem, 'username');
    const pwProblem = passwordProblem(user.password);
    if (pwProblem) throw badRequest(pwProblem, 'password');
    const roleProblem = rolesProblem(user.roles);
    if (roleProblem) throw badRequest(roleProblem, 'roles');
    const now = Date.now();
    const record: UserRecord = {
      v: 1,
      username,
      displayName: user.displayName?.trim() || username,
      roles: canonicalRoles(user.roles),
      passwordHash: await hashPassword(user.password, this.scrypt),
      passwordChangedAt: now,
      disabled: false,
      totp: null,
      totpPending: null,
      locale: user.locale ?? 'en',
      createdAt: now,
      updatedAt: now,
    };
    try {
      await this._kv.create(username, JSON.stringify(record));
    } catch (error) {
      if (isWrongRevision(error)) throw new RiskstreamError('RS_ERR_CONFLICT', `the user ${username} already exists`);
      throw error;
    }
    return record;
  }

  async get(username: string): Promise<UserRecord | null> {
    const name = normaliseUsername(username);
    if (usernameProblem(name)) return null;
    return (await this._read(name))?.record ?? null;
  }

  async list(): Promise<UserRecord[]> {
    const names: string[] = [];
    for await (const key of await this._kv.keys()) names.push(key);
    const records = await Promise.all(names.map((n) => this._read(n)));
    return records
      .filter((r): r is Stored => r !== null)
      .map((r) => r.record)
      .sort((a, b) => a.username.localeCompare(b.username));
  }

  updateRoles(username: string, roles: readonly UserRole[]): Promise<UserRecord> {
    const problem = rolesProblem(roles);
    if (problem) return Promise.reject(badRequest(problem, 'roles'));
    return this._change(username, (u) => ({ ...u, roles: canonicalRoles(roles) }));
  }

  async setPassword(username: string, password: string): Promise<UserRecord> {
    const problem = passwordProblem(password);
    if (problem) throw badRequest(problem, 'password');
    const passwordHash = await hashPassword(password, this.scrypt);
    return this._change(username, (u) => ({ ...u, passwordHash, passwordChangedAt: Date.now() }));
  }

  async replacePasswordHash(username: string, expectedHash: string, newHash: string): Promise<void> {
    // Only if nobody changed the password meanwhile; otherwise the newer password stands.
    await this._change(username, (u) => (u.passwordHash === expectedHash ? { ...u, passwordHash: newHash } : u));
  }

  setDisabled(username: string, disabled: boolean): Promise<UserRecord> {
    return this._change(username, (u) => ({ ...u, disabled }));
  }

  setPendingTotp(username: string, secret: string): Promise<UserRecord> {
    return this._change(username, (u) => {
      if (u.totp) throw new RiskstreamError('RS_ERR_CONFLICT', 'a second factor is already active; an admin can reset it');
      return { ...u, totpPending: { secret, createdAt: Date.now() } };
    });
  }

  enableTotp(username: string, confirmedTimeStep: number): Promise<UserRecord> {
    return this._change(username, (u) => {
      if (!u.totpPending) throw new RiskstreamError('RS_ERR_CONFLICT', 'no enrolment is pending; start one with /api/auth/totp/enrol');
      return { ...u, totp: { secret: u.totpPending.secret, enabledAt: Date.now(), lastTimeStep: confirmedTimeStep }, totpPending: null };
    });
  }

  resetTotp(username: string): Promise<UserRecord> {
    return this._change(username, (u) => ({ ...u, totp: null, totpPending: null }));
  }

  async spendTotpStep(username: string, timeStep: number): Promise<boolean> {
    let spent = false;
    await this._change(username, (u) => {
      spent = u.totp !== null && timeStep > u.totp.lastTimeStep;
      return spent && u.totp ? { ...u, totp: { ...u.totp, lastTimeStep: timeStep } } : u;
    });
    return spent;
  }

  private async _read(name: string): Promise<Stored | null> {
    const entry = await this._kv.get(name);
    if (!entry || entry.operation !== 'PUT' || entry.length === 0) return null;
    const stored = entry.json<UserRecord>();
    const record: UserRecord = {
      ...stored,
      totp: stored.totp && { ...stored.totp, secret: this._open(stored.totp.secret, stored.username) },
      totpPending: stored.totpPending && { ...stored.totpPending, secret: this._open(stored.totpPending.secret, stored.username) },
    };
    return { record, stored, revision: entry.revision };
  }

  private _open(stored: string, username: string): string {
    try {
      return this._secrets.open(stored, username);
    } catch (error) {
      if (error instanceof SecretBoxError) return UNREADABLE_SECRET;
      throw error;
    }
  }

  /**
   * The record as stored: secrets sealed; one that did not open keeps its sealed value (for the
   * secret it was read from: enabling moves the pending secret to the active one).
   */
  private _seal(record: UserRecord, before: UserRecord): UserRecord {
    const seal = (secret: string, ...was: Array<string | undefined>): string => {
      if (secret !== UNREADABLE_SECRET) return this._secrets.seal(secret, record.username);
      return was.find((w) => w !== undefined && this._secrets.isSealed(w)) ?? UNREADABLE_SECRET;
    };
    return {
      ...record,
      totp: record.totp && { ...record.totp, secret: seal(record.totp.secret, before.totp?.secret, before.totpPending?.secret) },
      totpPending: record.totpPending && { ...record.totpPending, secret: seal(record.totpPending.secret, before.totpPending?.secret) },
    };
  }

  /** Read, change, compare-and-set; retried when another writer got there first. */
  private async _change(username: string, change: (user: UserRecord) => UserRecord): Promise<UserRecord> {
    const name = normaliseUsername(username);
    for (let attempt = 0; ; attempt++) {
      const current = usernameProblem(name) ? null : await this._read(name);
      if (!current) throw notFound(name);
      const next = change(current.record);
      if (next === current.record) return next;
      const stamped: UserRecord = { ...next, updatedAt: Date.now() };
      try {
        await this._kv.update(name, JSON.stringify(this._seal(stamped, current.stored)), current.revision);
        return stamped;
      } catch (error) {
        if (!isWrongRevision(error) || attempt >= 4) throw error;
      }
    }
  }
}
