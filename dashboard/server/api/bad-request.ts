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
    const missing = issue.keyword === 'required' ? issue.params?.missingProperty : undefined;
    const pointer = (issue.instancePath ?? '').replace(/^\//, '').replace(/\//g, '.');
    const field = typeof missing === 'string' ? (pointer ? `${pointer}.${missing}` : missing) : pointer;
    const allowed = issue.keyword === 'enum' && Array.isArray(issue.params?.allowedValues) ? `: ${issue.params.allowedValues.join(', ')}` : '';
    return {
      path: field ? `${prefix}.${field}` : prefix,
      rule: issue.keyword ?? 'schema',
      message: `${issue.message ?? 'is not valid'}${allowed}`,
    };
  });
}

/** A preHandler (after the guard) that answers the validation failure fastify attached, if any. */
export const rejectInvalidRequest: preHandlerHookHandler = function rejectInvalidRequest(request: FastifyRequest, _reply, done) {
  const failure = request.validationError as (Error & { validation?: AjvIssue[]; validationContext?: string }) | undefined;
  if (!failure) return done();
  const errors = fieldErrorsOf(failure.validation ?? [], failure.validationContext ?? 'querystring');
  const first = errors[0];
  done(new RiskstreamError('RS_ERR_BAD_REQUEST', first ? `${first.path} ${first.message}` : failure.message, { errors }));
};
