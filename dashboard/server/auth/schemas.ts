// JSON schemas of the auth and admin request bodies (TypeBox). Fastify validates with them, and a bad
// body answers 400 RS_ERR_BAD_REQUEST naming the field ("body/password must NOT have fewer than 12 characters").
import { Type, type Static } from '@sinclair/typebox';
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
  { additionalProperties: false },
);
export type LoginBody = Static<typeof LoginBody>;

export const TotpConfirmBody = Type.Object({ code: TotpCode }, { additionalProperties: false });
export type TotpConfirmBody = Static<typeof TotpConfirmBody>;

export const PasswordChangeBody = Type.Object(
  { currentPassword: Type.String({ minLength: 1, maxLength: PASSWORD_MAX_LENGTH }), newPassword: NewPassword },
  { additionalProperties: false },
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
  { additionalProperties: false },
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
  { additionalProperties: false, minProperties: 1 },
);
export type PatchUserBody = Static<typeof PatchUserBody>;

export const UsernameParams = Type.Object({ username: Type.String({ minLength: 1, maxLength: 128 }) });
export type UsernameParams = Static<typeof UsernameParams>;
