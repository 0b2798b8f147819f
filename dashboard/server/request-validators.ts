// The validators of the dashboard's requests. Query strings and path parameters are text, so they are
// coerced to the schema's types (as fastify does by default); JSON bodies are taken as sent: a field the
// schema does not know, or a value of the wrong type, is refused and named instead of dropped or
// converted (`{"disable": true}` was a 200 that changed nothing; `"disabled": "true"` became true).
import { Ajv, type Options } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';

// ajv-formats is CommonJS; its default export arrives wrapped under ESM.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (a: Ajv) => Ajv;

// TypeBox adds no $id, and route schemas carry OpenAPI words (description, examples) that Ajv knows.
const COMMON: Options = { useDefaults: true, strict: false, addUsedSchema: false };

/** One validator compiler for every route: strict for bodies, coercing for the parts that are text. */
export function createValidatorCompiler(): FastifySchemaCompiler<unknown> {
  const text = addFormats(new Ajv({ ...COMMON, coerceTypes: 'array', removeAdditional: true }));
  const body = addFormats(new Ajv({ ...COMMON, coerceTypes: false, removeAdditional: false, allErrors: true }));
  return ({ schema, httpPart }) => (httpPart === 'body' ? body : text).compile(schema as object);
}
