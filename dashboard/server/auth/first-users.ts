// The accounts a fresh installation starts with: the first admin from the environment, and in demo
// mode one user per role with a random password printed once at start-up.
import { RiskstreamError } from '../../../core/index.js';
import type { UserRole } from '../protocol.js';
import { generatePassword, passwordProblem, verifyPassword } from './password.js';
import type { UserStore } from './user-store.js';
import { normaliseUsername, usernameProblem } from './username.js';

export const DEMO_USERS: ReadonlyArray<{ readonly username: string; readonly displayName: string; readonly roles: readonly UserRole[] }> = [
  { username: 'admin', displayName: 'Demo admin', roles: ['admin'] },
  { username: 'monitor', displayName: 'Demo risk monitor', roles: ['risk_monitor'] },
  { username: 'compliance', displayName: 'Demo compliance officer', roles: ['compliance_officer'] },
  { username: 'supervisor', displayName: 'Demo compliance supervisor', roles: ['compliance_supervisor'] },
  { username: 'credit', displayName: 'Demo credit officer', roles: ['credit_officer'] },
  { username: 'auditor', displayName: 'Demo auditor', roles: ['auditor'] },
];

export type CreatedUser = { readonly username: string; readonly password: string; readonly roles: readonly UserRole[] };

/** Creates the demo users that do not exist yet; returns only those just created, with their passwords, for printing. */
export async function seedDemoUsers(store: UserStore): Promise<CreatedUser[]> {
  const created: CreatedUser[] = [];
  for (const demo of DEMO_USERS) {
    if (await store.get(demo.username)) continue;
    const password = generatePassword();
    try {
      await store.create({ username: demo.username, displayName: demo.displayName, password, roles: demo.roles });
      created.push({ username: demo.username, password, roles: demo.roles });
    } catch (error) {
      // Another process seeding at the same moment won: its password is the one that counts.
      if (!(error instanceof RiskstreamError && error.code === 'RS_ERR_CONFLICT')) throw error;
    }
  }
  return created;
}

export class AdminEnvError extends Error {
  override readonly name = 'AdminEnvError';
}

/**
 * `passwordApplied`: false when the user existed already with another password, which the one in
 * the environment did not replace (the caller warns: a silent no-op looked like a broken sign-in).
 */
export type AdminFromEnv = { readonly created: boolean; readonly username: string; readonly passwordApplied: boolean } | null;

/**
 * The admin RISKSTREAM_ADMIN_USER and RISKSTREAM_ADMIN_PASSWORD name, checked (both or neither, a
 * name and a password the store takes), or null when neither is set. Touches nothing, so that a
 * start can refuse a mistake before it creates anything in the namespace.
 */
export function adminFromEnv(env: NodeJS.ProcessEnv): { readonly username: string; readonly password: string } | null {
  const rawName = env.RISKSTREAM_ADMIN_USER;
  const password = env.RISKSTREAM_ADMIN_PASSWORD;
  if (!rawName && !password) return null;
  if (!rawName || !password) throw new AdminEnvError('set both RISKSTREAM_ADMIN_USER and RISKSTREAM_ADMIN_PASSWORD, or neither');
  const username = normaliseUsername(rawName);
  const nameProblem = usernameProblem(username);
  if (nameProblem) throw new AdminEnvError(`RISKSTREAM_ADMIN_USER: ${nameProblem}`);
  const pwProblem = passwordProblem(password);
  if (pwProblem) throw new AdminEnvError(`RISKSTREAM_ADMIN_PASSWORD: ${pwProblem}`);
  return { username, password };
}

/**
 * Creates the admin named by RISKSTREAM_ADMIN_USER with RISKSTREAM_ADMIN_PASSWORD when that user does not
 * exist. An existing user is left alone (the password in the environment is not re-applied), so that a
 * password changed later is not reset by a restart. Null when the variables are not set.
 */
export async function ensureAdminFromEnv(store: UserStore, env: NodeJS.ProcessEnv = process.env): Promise<AdminFromEnv> {
  const wanted = adminFromEnv(env);
  if (wanted === null) return null;
  const { username, password } = wanted;
  const existing = await store.get(username);
  if (existing) return { created: false, username, passwordApplied: await verifyPassword(password, existing.passwordHash) };
  try {
    await store.create({ username, displayName: 'Administrator', password, roles: ['admin'] });
    return { created: true, username, passwordApplied: true };
  } catch (error) {
    if (error instanceof RiskstreamError && error.code === 'RS_ERR_CONFLICT') return { created: false, username, passwordApplied: false };
    throw error;
  }
}
