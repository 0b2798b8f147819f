// Named schemas of the dashboard's OpenAPI document. @fastify/swagger writes every route's schemas
// inline, so a client generated from the document got one anonymous type per place a shape is used
// (an alert in the feed and the same alert in its detail were two types, the error answer forty).
// A schema that carries a `title` is a named type: this pass moves it to `components.schemas` under
// that title and puts a `$ref` where it was. Fastify still validates and serialises with the
// inline schemas: only the published document changes.

import { isDeepStrictEqual } from 'node:util';

/** A title that names a component (the name a generated client gives the type). */
const COMPONENT_NAME = /^[A-Z][A-Za-z0-9]*$/;
const COMPONENTS_PREFIX = '#/components/schemas/';

type JsonValue = unknown;
type JsonObject = Record<string, unknown>;

export type OpenApiDocument = JsonObject & { components?: JsonObject & { schemas?: Record<string, unknown> } };

function isObject(value: JsonValue): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Moves every titled schema of the document's paths into `components.schemas` (innermost first, so a
 * named schema refers to the named schemas inside it) and returns the document. Two different
 * schemas with one title are a programming error: it throws, naming the title.
 */
export function hoistNamedSchemas<T extends OpenApiDocument>(doc: T): T {
  const components = (doc.components ??= {});
  const schemas = (components.schemas ??= {});
  const hoist = (value: JsonValue): JsonValue => {
    if (Array.isArray(value)) return value.map(hoist);
    if (!isObject(value)) return value;
    const out: JsonObject = {};
    for (const [key, child] of Object.entries(value)) out[key] = hoist(child);
    const title = out.title;
    if (typeof title !== 'string' || !COMPONENT_NAME.test(title)) return out;
    const existing = schemas[title];
    if (existing === undefined) schemas[title] = out;
    else if (!isDeepStrictEqual(existing, out)) throw new Error(`OpenAPI: two different schemas are named ${title}; give one another title`);
    return { $ref: `${COMPONENTS_PREFIX}${title}` };
  };
  if (isObject(doc.paths)) (doc as JsonObject).paths = hoist(doc.paths);
  return doc;
}
