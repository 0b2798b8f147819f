// What the auth folder stores and answers with. The admin-API answer types are type-only, so the web
// app may `import type` them next to dashboard/server/protocol.ts.
import type { SessionUser, UserRole } from '../protocol.js';

/** A user as stored in the users KV bucket (key = the normalised user name). Never sent to a client. */
export type UserRecord = {
  readonly v: 1;
  readonly username: string;
  readonly displayName: string;
  readonly roles: readonly UserRole[];
  /** `$scrypt$ln=…,r=…,p=…$salt$key` (see password.ts). */
  readonly passwordHash: string;
  readonly passwordChangedAt: number;
  readonly disabled: boolean;
  /** The active second factor, once confirmed. */
  readonly totp: { readonly secret: string; readonly enabledAt: number; readonly lastTimeStep: number } | null;
  /** A secret handed out by /api/auth/totp/enrol and not yet confirmed with a code. */
  readonly totpPending: { readonly secret: string; readonly createdAt: number } | null;
  readonly locale: string;
  readonly createdAt: number;
  readonly updatedAt: number;
};

/** A user as the admin API shows it: no hash, no TOTP secret. */
export type UserAdminView = {
  readonly username: string;
  readonly displayName: string;
  readonly roles: readonly UserRole[];
  readonly disabled: boolean;
  readonly totpEnabled: boolean;
  readonly locale: string;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly passwordChangedAt: number;
  /** When the sign-in lock-out ends (epoch ms), or null when the user is not locked out. */
  readonly lockedUntil: number | null;
};

/** GET /api/users */
export type UserListAnswer = { readonly users: readonly UserAdminView[] };
/** POST /api/users, PATCH /api/users/:username */
export type UserAnswer = { readonly user: UserAdminView };
/** POST /api/auth/totp/enrol: scan `qrSvg` (or type `secret`) into the authenticator app, then confirm a code. */
export type TotpEnrolAnswer = { readonly secret: string; readonly otpauthUrl: string; readonly qrSvg: string };

export type NewUser = {
  readonly username: string;
  readonly displayName?: string;
  readonly password: string;
  readonly roles: readonly UserRole[];
  readonly locale?: string;
};

export function sessionUserOf(user: UserRecord): SessionUser {
  return { username: user.username, displayName: user.displayName, roles: user.roles, totpEnabled: user.totp !== null, locale: user.locale };
}

export function adminViewOf(user: UserRecord, lockedUntil: number | null): UserAdminView {
  return {
    username: user.username,
    displayName: user.displayName,
    roles: user.roles,
    disabled: user.disabled,
    totpEnabled: user.totp !== null,
    locale: user.locale,
    createdAt: user.createdAt,
    updatedAt: user.updatedAt,
    passwordChangedAt: user.passwordChangedAt,
    lockedUntil,
  };
}
