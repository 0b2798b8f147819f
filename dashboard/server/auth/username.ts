// User names: one normal form, so that "Alice" and "alice " are the same account and the name is a
// valid NATS KV key as it is.
import { USER_ROLES, type UserRole } from '../protocol.js';

/** Letters, digits and single `.`, `_` or `-` between them; 2–64 characters after normalising. */
const USERNAME_PATTERN = /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/;

export function normaliseUsername(raw: string): string {
  return raw.normalize('NFKC').trim().toLowerCase();
}

/** Why a (normalised) user name is refused, or null when it is acceptable. */
export function usernameProblem(username: string): string | null {
  if (username.length < 2 || username.length > 64) return 'the user name must be 2 to 64 characters long';
  if (!USERNAME_PATTERN.test(username)) return 'the user name may hold only a-z, 0-9 and single . _ - between them';
  return null;
}

export function isUserRole(value: string): value is UserRole {
  return (USER_ROLES as readonly string[]).includes(value);
}

/** Why a role list is refused, or null. */
export function rolesProblem(roles: readonly string[]): string | null {
  if (roles.length === 0) return 'at least one role is required';
  const unknown = roles.filter((r) => !isUserRole(r));
  if (unknown.length > 0) return `unknown role ${unknown.join(', ')}; roles are: ${USER_ROLES.join(', ')}`;
  return null;
}

/** Roles without duplicates, in the order of USER_ROLES. */
export function canonicalRoles(roles: readonly UserRole[]): UserRole[] {
  return USER_ROLES.filter((r) => roles.includes(r));
}
