// The public face of dashboard/server/auth: users, sessions, the fastify plugin and its guards.
export { authPlugin, createRequestAuthenticator, type AuthPluginOptions, type Authenticated, type LookupOptions } from './auth-plugin.js';
export { requireRoles, signedInUser, userHasRole } from './guards.js';
export { createUserStore, type UserStore, type UserStoreOptions } from './user-store.js';
export {
  createSessionStore,
  DEFAULT_ABSOLUTE_TIMEOUT_MS,
  DEFAULT_IDLE_TIMEOUT_MS,
  type Session,
  type SessionOptions,
  type SessionStore,
} from './session-store.js';
export { SESSION_COOKIE, sessionIdFromHeaders, type SecureCookies } from './session-cookie.js';
export { CSRF_HEADER } from './csrf.js';
export {
  createLoginThrottle,
  DEFAULT_IP_LIMIT,
  DEFAULT_LOCKOUT,
  type IpLimitPolicy,
  type LockoutPolicy,
  type LoginThrottle,
  type LoginThrottleOptions,
} from './login-throttle.js';
export { DEFAULT_SCRYPT_PARAMS, PASSWORD_MIN_LENGTH, generatePassword, passwordProblem, type ScryptParams } from './password.js';
export { AdminEnvError, DEMO_USERS, adminFromEnv, ensureAdminFromEnv, seedDemoUsers, type AdminFromEnv, type CreatedUser } from './first-users.js';
export { normaliseUsername, usernameProblem, isUserRole } from './username.js';
export type { NewUser, TotpEnrolAnswer, UserAdminView, UserAnswer, UserListAnswer, UserRecord } from './types.js';
export { SECRETS_KEY_FILE, SecretBoxError, createSecretBox, loadSecretBox, parseSecretsKey, type SecretBox } from './secret-box.js';
