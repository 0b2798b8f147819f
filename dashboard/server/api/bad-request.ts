// Turns fastify's schema validation failure into RS_ERR_BAD_REQUEST naming the field, with the
// field errors in the shape ingest uses ({ path, rule, message }). Routes validate with
// attachValidation, so that the role guard answers 401/403 before a bad query is judged.
import type { FastifyRequest, preHandlerHookHandler } from 'fastify';
import { RiskstreamError, type FieldError } from '../../../core/index.js';

type AjvIssue = { readonly instancePath?: string; readonly keyword?: string; readonly message?: string; readonly params?: Readonly<Record<string, unknown>> };

const CONTEXT_NAMES: Readonly<Record<string, string>> = { querystring: 'query', params: 'params', body: 'body', headers: 'headers' };

export function fieldErrorsOf(issues: readonly AjvIssue[], context: string): FieldError[] {
  const prefix = CONTEXT_NAMES[context] ?? context;
  return issues.map((issue) => {
    // the field a required or an unknown-field failure is about, below the object it names
    const named = issue.keyword === 'required' ? issue.params?.missingProperty : issue.keyword === 'additionalProperties' ? issue.params?.additionalProperty : undefined;
    const pointer = (issue.instancePath ?? '').replace(/^\//, '').replace(/\//g, '.');
    const field = typeof named === 'string' ? (pointer ? `${pointer}.${named}` : named) : pointer;
    const allowed = issue.keyword === 'enum' && Array.isArray(issue.params?.allowedValues) ? `: ${issue.params.allowedValues.join(', ')}` : '';
    const message = issue.keyword === 'additionalProperties' ? 'is not a field of this request' : `${issue.message ?? 'is not valid'}${allowed}`;
    return { path: field ? `${prefix}.${field}` : prefix, rule: issue.keyword ?? 'schema', message };
  });
}

/** Whole numbers as a person writes them: what the query's integers must look like as text. */
const INTEGER_TEXT = /^-?(0|[1-9][0-9]*)$/;

type QuerySchema = { readonly properties?: Readonly<Record<string, { readonly type?: unknown }>> };

/**
 * The query's integer parameters whose text is not a plain whole number. The validator coerces
 * query text with Number(), so `1e1`, `0x10`, `10.0` and ` 7` would pass as 10, 16, 10 and 7 and
 * a typo would quietly read another page; they are refused instead, as ingest refuses them.
 */
export function integerTextErrors(schema: QuerySchema | undefined, url: string): FieldError[] {
  const properties = schema?.properties;
  const at = url.indexOf('?');
  if (!properties || at < 0) return [];
  const errors: FieldError[] = [];
  for (const [name, value] of new URLSearchParams(url.slice(at + 1))) {
    if (properties[name]?.type === 'integer' && !INTEGER_TEXT.test(value)) {
      errors.push({ path: `query.${name}`, rule: 'type', message: 'must be a whole number written in digits' });
    }
  }
  return errors;
}

/** A preHandler (after the guard) that answers the validation failure fastify attached, if any. */
export const rejectInvalidRequest: preHandlerHookHandler = function rejectInvalidRequest(request: FastifyRequest, _reply, done) {
  const failure = request.validationError as (Error & { validation?: AjvIssue[]; validationContext?: string }) | undefined;
  const textErrors = integerTextErrors(request.routeOptions.schema?.querystring as QuerySchema | undefined, request.url);
  if (!failure && textErrors.length === 0) return done();
  const named = new Set(textErrors.map((e) => e.path));
  const schemaErrors = failure ? fieldErrorsOf(failure.validation ?? [], failure.validationContext ?? 'querystring') : [];
  const errors = [...textErrors, ...schemaErrors.filter((e) => !named.has(e.path))];
  const first = errors[0];
  done(new RiskstreamError('RS_ERR_BAD_REQUEST', first ? `${first.path} ${first.message}` : (failure?.message ?? 'bad request'), { errors }));
};
