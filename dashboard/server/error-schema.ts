// The error answer of every dashboard route, as the OpenAPI documents show it: the shape of
// RiskstreamError.toJSON() (docs/errors.md), with its codes listed and the field errors typed.
import { Type } from '@sinclair/typebox';
import { ERRORS } from '../../core/index.js';

const FieldErrorSchema = Type.Object(
  {
    path: Type.String({ description: '`query.<name>`, `params.<name>`, `body.<field>`, or `path`.' }),
    rule: Type.String({ description: 'The rule broken: `required`, `additionalProperties`, `type`, `maximum`, `enum`, …' }),
    message: Type.String(),
  },
  { additionalProperties: true, title: 'FieldError' },
);

export const ErrorAnswer = Type.Object(
  {
    error: Type.Object(
      {
        code: Type.String({ enum: Object.keys(ERRORS), description: 'A stable code of docs/errors.md.' }),
        message: Type.String(),
        retryable: Type.Boolean({ description: 'Whether the same request can succeed later.' }),
        details: Type.Optional(
          Type.Object({ errors: Type.Optional(Type.Array(FieldErrorSchema)) }, { additionalProperties: true, description: 'For RS_ERR_BAD_REQUEST and the like: every field at fault.' }),
        ),
      },
      { additionalProperties: true },
    ),
  },
  { title: 'ErrorAnswer', description: 'An error (docs/errors.md).' },
);
