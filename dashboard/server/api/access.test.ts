// Who sees what through the data API: masking per role, the credit officer's alert domain, and
// the mapping of schema failures to field errors. Pure, table-driven.
import { describe, expect, it } from 'vitest';
import type { EventKind } from '../../../core/index.js';
import type { UserRole } from '../protocol.js';
import { maskPolicyFor, seesAllAlertDomains } from './access.js';
import { fieldErrorsOf, integerTextErrors } from './bad-request.js';

describe('data API access', () => {
  it.each<[UserRole[], EventKind, boolean]>([
    [['admin'], 'payment', false],
    [['risk_monitor'], 'payment', false],
    [['compliance_officer'], 'customer', false],
    [['compliance_supervisor'], 'payment', false],
    [['auditor'], 'payment', true],
    [['auditor'], 'loan.application', true],
    [['credit_officer'], 'payment', true],
    [['credit_officer'], 'loan.application', false],
    [['credit_officer'], 'customer', false],
    [['credit_officer', 'auditor'], 'loan.repayment', false],
    [['auditor', 'risk_monitor'], 'payment', false],
    [[], 'payment', true],
  ])('access - roles %j viewing a %s: masked %s', (roles, kind, masked) => {
    expect(maskPolicyFor(roles)(kind)).toBe(masked);
  });

  it.each<[UserRole[], boolean]>([
    [['credit_officer'], false],
    [['credit_officer', 'auditor'], true],
    [['auditor'], true],
    [['admin'], true],
  ])('access - roles %j see every alert domain: %s', (roles, all) => {
    expect(seesAllAlertDomains(roles)).toBe(all);
  });

  it.each([
    [{ instancePath: '/limit', keyword: 'maximum', message: 'must be <= 500', params: { limit: 500 } }, 'querystring', { path: 'query.limit', rule: 'maximum', message: 'must be <= 500' }],
    [{ instancePath: '', keyword: 'required', message: "must have required property 'id'", params: { missingProperty: 'id' } }, 'params', { path: 'params.id', rule: 'required', message: "must have required property 'id'" }],
    [
      { instancePath: '/domain', keyword: 'enum', message: 'must be equal to one of the allowed values', params: { allowedValues: ['fraud', 'aml'] } },
      'querystring',
      { path: 'query.domain', rule: 'enum', message: 'must be equal to one of the allowed values: fraud, aml' },
    ],
    [{ instancePath: '/a/b', keyword: 'type' }, 'body', { path: 'body.a.b', rule: 'type', message: 'is not valid' }],
  ])('access - schema failure %j in %s names %j', (issue, context, expected) => {
    expect(fieldErrorsOf([issue], context)).toEqual([expected]);
  });

  it('access - query integers must be written in digits (the validator would coerce 1e1, 0x10 and 10.0)', () => {
    const schema = { properties: { limit: { type: 'integer' }, hops: { type: 'integer' }, cursor: { type: 'string' } } };
    expect(integerTextErrors(schema, '/api/x?limit=25&hops=-1&cursor=1e1')).toEqual([]);
    expect(integerTextErrors(schema, '/api/x?limit=1e1&hops=0x10&cursor=abc').map((e) => e.path)).toEqual(['query.limit', 'query.hops']);
    expect(integerTextErrors(schema, '/api/x?limit=10.0')).toEqual([{ path: 'query.limit', rule: 'type', message: 'must be a whole number written in digits' }]);
    expect(integerTextErrors(schema, '/api/x')).toEqual([]);
    expect(integerTextErrors(undefined, '/api/x?limit=1e1')).toEqual([]);
  });
});
