// JSON schemas of the auth and admin request bodies (TypeBox). Fastify validates with them, and a bad
// body answers 400 RS_ERR_BAD_REQUEST naming the field ("body/password must NOT have fewer than 12 characters").
import { Type, type Static } from '@sinclair/typebox';
import { ErrorAnswer } from '../error-schema.js';
import { USER_ROLES } from '../protocol.js';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from './password.js';

const Role = Type.Union(USER_ROLES.map((r) => Type.Literal(r)));
const Roles = Type.Array(Role, { minItems: 1, maxItems: USER_ROLES.length, uniqueItems: true });
/** The same rule as username.ts, before normalising (capitals allowed; they are folded). */
const Username = Type.String({ minLength: 2, maxLength: 64, pattern: '^\\s*[A-Za-z0-9]+(?:[._-][A-Za-z0-9]+)*\\s*$' });
const NewPassword = Type.String({ minLength: PASSWORD_MIN_LENGTH, maxLength: PASSWORD_MAX_LENGTH });
const TotpCode = Type.String({ minLength: 1, maxLength: 12 });

export const LoginBody = Type.Object(
  {
    // Not the username pattern: any text is a failed sign-in, never a 400 that tells names apart.
    username: Type.String({ minLength: 1, maxLength: 128 }),
    password: Type.String({ minLength: 1, maxLength: PASSWORD_MAX_LENGTH }),
    totp: Type.Optional(TotpCode),
  },
  { title: 'LoginBody', additionalProperties: false },
);
export type LoginBody = Static<typeof LoginBody>;

export const TotpConfirmBody = Type.Object({ code: TotpCode }, { title: 'TotpConfirmBody', additionalProperties: false });
export type TotpConfirmBody = Static<typeof TotpConfirmBody>;

export const PasswordChangeBody = Type.Object(
  { currentPassword: Type.String({ minLength: 1, maxLength: PASSWORD_MAX_LENGTH }), newPassword: NewPassword },
  { title: 'PasswordChangeBody', additionalProperties: false },
);
export type PasswordChangeBody = Static<typeof PasswordChangeBody>;

export const CreateUserBody = Type.Object(
  {
    username: Username,
    displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    password: NewPassword,
    roles: Roles,
    locale: Type.Optional(Type.Union([Type.Literal('en'), Type.Literal('zh-CN')])),
  },
  { title: 'CreateUserBody', additionalProperties: false },
);
export type CreateUserBody = Static<typeof CreateUserBody>;

export const PatchUserBody = Type.Object(
  {
    roles: Type.Optional(Roles),
    disabled: Type.Optional(Type.Boolean()),
    password: Type.Optional(NewPassword),
    resetTotp: Type.Optional(Type.Literal(true)),
    unlock: Type.Optional(Type.Literal(true)),
  },
  { title: 'PatchUserBody', additionalProperties: false, minProperties: 1 },
);
export type PatchUserBody = Static<typeof PatchUserBody>;

export const UsernameParams = Type.Object({ username: Type.String({ minLength: 1, maxLength: 128 }) });
export type UsernameParams = Static<typeof UsernameParams>;

// --- answers, for the OpenAPI document (and serialising); extra fields pass as they are --------

const OPEN = { additionalProperties: true } as const;

export const SessionUserAnswer = Type.Object(
  {
    username: Type.String(),
    displayName: Type.String(),
    roles: Type.Array(Role),
    totpEnabled: Type.Boolean(),
    locale: Type.String({ description: "The app's language: en or zh-CN." }),
  },
  { ...OPEN, title: 'SessionUser', description: 'The signed-in user.' },
);

export const LoginAnswerSchema = Type.Object(
  { user: SessionUserAnswer, csrfToken: Type.String({ description: 'Send as x-csrf-token on every state-changing request.' }) },
  { ...OPEN, title: 'LoginAnswer', description: 'The signed-in user and the CSRF token of the session (LoginAnswer).' },
);

/**
 * The same answer where it starts a session (sign-in, a changed password), with the cookie it sets declared for the OpenAPI document (@fastify/swagger reads a
 * response schema's `headers`; the serializer ignores them).
 */
export const SignedInAnswerSchema = Type.Object(LoginAnswerSchema.properties, {
  ...OPEN,
  title: LoginAnswerSchema.title,
  description: LoginAnswerSchema.description,
  headers: { 'set-cookie': { type: 'string', description: 'Two cookies: rs_session (HttpOnly, SameSite=Strict; Secure behind TLS), the session to send back on every request, and rs_signed_in, readable by the page, which says a session exists.' } },
});

export const TotpEnrolAnswerSchema = Type.Object(
  {
    secret: Type.String({ description: 'Base32, to type into the authenticator app.' }),
    otpauthUrl: Type.String(),
    qrSvg: Type.String({ description: 'The otpauth URL as a QR code, SVG.' }),
  },
  { ...OPEN, title: 'TotpEnrolAnswer', description: 'A second factor being enrolled (TotpEnrolAnswer); confirm a code to enable it.' },
);

const UserAdminViewSchema = Type.Object(
  {
    username: Type.String(),
    displayName: Type.String(),
    roles: Type.Array(Role),
    disabled: Type.Boolean(),
    totpEnabled: Type.Boolean(),
    locale: Type.String(),
    createdAt: Type.Integer({ description: 'Epoch ms.' }),
    updatedAt: Type.Integer({ description: 'Epoch ms.' }),
    passwordChangedAt: Type.Integer({ description: 'Epoch ms.' }),
    lockedUntil: Type.Union([Type.Integer(), Type.Null()], { description: 'When the sign-in lock-out ends (epoch ms); null when not locked out.' }),
  },
  { ...OPEN, title: 'User', description: 'A user as admins see it.' },
);

export const UserAnswerSchema = Type.Object({ user: UserAdminViewSchema }, { ...OPEN, title: 'UserAnswer', description: 'One user, as admins see it (UserAnswer).' });
export const UserListAnswerSchema = Type.Object({ users: Type.Array(UserAdminViewSchema) }, { ...OPEN, title: 'UserListAnswer', description: 'Every user (UserListAnswer).' });

const AuthError = ErrorAnswer;
/** A 429: when to try again, in seconds. */
const AuthRateLimited = Type.Object(ErrorAnswer.properties, {
  ...ErrorAnswer,
  headers: { 'retry-after': { type: 'integer', minimum: 1, description: 'Seconds until a sign-in may be tried again.' } },
});

/** The error answers of the auth and users routes, by status. */
export function authErrors(...statuses: Array<400 | 401 | 403 | 404 | 409 | 413 | 415 | 429 | 503>): Record<number, typeof AuthError> {
  return Object.fromEntries(statuses.map((s) => [s, s === 429 ? AuthRateLimited : AuthError]));
}

/** The 204 of signing out: no body. */
export const NoContent = Type.Null({ description: 'Signed out: no body.' });
