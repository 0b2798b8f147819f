import { describe, expect, it } from 'vitest';
import { hoistNamedSchemas, type OpenApiDocument } from './openapi-components.js';

const reason = { title: 'Reason', type: 'object', properties: { code: { type: 'string' } } };
const alert = { title: 'Alert', type: 'object', properties: { id: { type: 'string' }, reasons: { type: 'array', items: reason } } };

function docWith(paths: Record<string, unknown>): OpenApiDocument {
  return { openapi: '3.1.0', paths, components: { securitySchemes: { session: { type: 'apiKey' } } } };
}

describe('openapi components', () => {
  it('openapi components - a titled schema moves to components once, inner names first, and is referenced where it was', () => {
    const doc = hoistNamedSchemas(
      docWith({
        '/a': { get: { responses: { 200: { content: { 'application/json': { schema: { type: 'object', properties: { alerts: { type: 'array', items: alert } } } } } } } } },
        '/b': { get: { responses: { 200: { content: { 'application/json': { schema: structuredClone(alert) } } } } } },
      }),
    );
    expect(doc.components!.schemas).toEqual({
      Reason: reason,
      Alert: { ...alert, properties: { id: { type: 'string' }, reasons: { type: 'array', items: { $ref: '#/components/schemas/Reason' } } } },
    });
    expect(JSON.stringify(doc.paths)).not.toMatch(/"title"/);
    expect(doc.paths).toMatchObject({
      '/a': { get: { responses: { 200: { content: { 'application/json': { schema: { properties: { alerts: { items: { $ref: '#/components/schemas/Alert' } } } } } } } } } },
      '/b': { get: { responses: { 200: { content: { 'application/json': { schema: { $ref: '#/components/schemas/Alert' } } } } } } },
    });
    expect(doc.components!.securitySchemes).toEqual({ session: { type: 'apiKey' } });
  });

  it('openapi components - two different schemas under one title are refused by name', () => {
    const other = { ...alert, properties: { id: { type: 'integer' } } };
    expect(() => hoistNamedSchemas(docWith({ '/a': { schema: alert }, '/b': { schema: other } }))).toThrow(/two different schemas are named Alert/);
  });

  it('openapi components - a title that is not a type name (a sentence, lower case) stays where it is', () => {
    const doc = hoistNamedSchemas(docWith({ '/a': { schema: { title: 'an example', type: 'string' } }, '/b': { schema: { title: 'alert', type: 'string' } } }));
    expect(doc.components!.schemas).toEqual({});
    expect(doc.paths).toEqual({ '/a': { schema: { title: 'an example', type: 'string' } }, '/b': { schema: { title: 'alert', type: 'string' } } });
  });
});
