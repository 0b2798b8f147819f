// The dashboard's REST data API over ClickHouse: the alert feed and drill-down, account view and
// counterparty network, KPI history, the credit summary and dead letters. Each route checks the
// role with the injected guard first, then its query (400 naming the field), then reads through the
// read models; personal data is masked per role (access.ts). Answers follow protocol.ts.
import type { FastifyPluginAsync, FastifyRequest, FastifySchema, preHandlerAsyncHookHandler, preHandlerHookHandler } from 'fastify';
import { RiskstreamError } from '../../../core/index.js';
import { createReadModels, DEFAULT_WINDOW_MS, type DataReader, type SqlClient } from '../../../storage/index.js';
import '../auth/fastify-augment.js';
import type {
  AccountAnswer,
  AlertDetailAnswer,
  AlertPageAnswer,
  CreditSummaryAnswer,
  DeadLettersAnswer,
  KpiHistoryAnswer,
  NetworkAnswer,
  SessionUser,
  UserRole,
} from '../protocol.js';
import { ROUTE_ROLES, maskPolicyFor, seesAllAlertDomains, type DataRoute } from './access.js';
import { USER_ROLES } from '../protocol.js';
import { rejectInvalidRequest } from './bad-request.js';
import * as S from './schemas.js';

/** Builds the preHandler that admits the given roles (401 without a session, 403 without a role). */
export type RoleGuard = (roles: readonly UserRole[]) => preHandlerHookHandler | preHandlerAsyncHookHandler;

export type DataApiOptions = (
  | { readonly readModels: DataReader; readonly client?: undefined; readonly database?: undefined }
  | { readonly readModels?: undefined; readonly client: SqlClient; readonly database: string }
) & {
  readonly guard: RoleGuard;
  /** The clock windows are measured from (default Date.now); used when the read models are built here. */
  readonly now?: () => number;
};

const TAGS: Readonly<Record<DataRoute, string>> = { alerts: 'alerts', accounts: 'accounts', kpis: 'kpis', credit: 'credit', deadLetters: 'system' };

/** Whether every role may call a route: then it never answers 403. */
function everyRole(roles: readonly UserRole[]): boolean {
  return USER_ROLES.every((role) => roles.includes(role));
}

/** A route's description with the roles that may call it (others get 403 RS_ERR_FORBIDDEN). */
export function rolesNoted(description: string | undefined, roles: readonly UserRole[]): string {
  const note = everyRole(roles) ? 'Every role.' : `Roles: ${roles.join(', ')}; any other gets 403.`;
  return description ? `${description} ${note}` : note;
}

/**
 * A route's answers as documented: without the 403 of a route every role may call, unless the route
 * refuses by what is asked (the alert feed: a credit officer asking for another domain).
 */
function answersFor(roles: readonly UserRole[], response: Record<number, unknown>, refusesByQuery: boolean): Record<number, unknown> {
  if (!everyRole(roles) || refusesByQuery) return response;
  const { 403: _forbidden, ...others } = response;
  return others;
}

export const dataApiPlugin: FastifyPluginAsync<DataApiOptions> = async (app, opts) => {
  const now = opts.now ?? Date.now;
  const reads: DataReader = opts.readModels ?? createReadModels(opts.client, opts.database, { now });

  /** Route options: the guard, then the attached validation result, then the handler. */
  function route(name: DataRoute, schema: FastifySchema & { summary: string; description?: string }, response: Record<number, unknown>, refusesByQuery = false) {
    return {
      attachValidation: true,
      preHandler: [opts.guard(ROUTE_ROLES[name]), rejectInvalidRequest] as preHandlerHookHandler[],
      // who may call it, in the document itself (a generated client's docs show it; docs/api.md has the matrix)
      schema: { ...schema, description: rolesNoted(schema.description, ROUTE_ROLES[name]), tags: [TAGS[name]], security: [{ session: [] }], response: answersFor(ROUTE_ROLES[name], response, refusesByQuery) },
    };
  }

  /** A read, with a storage failure answered as 503 (the details go to the log, not the client). */
  async function read<T>(request: FastifyRequest, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof RiskstreamError) throw error;
      request.log.warn({ err: error }, 'data API read failed');
      throw new RiskstreamError('RS_ERR_STORAGE_UNAVAILABLE', 'storage did not answer; try again');
    }
  }

  app.get<{ Querystring: S.AlertsQuery }>(
    '/api/alerts',
    route(
      'alerts',
      {
        summary: 'The alert feed, newest first',
        description: 'Filtered and paged with an opaque cursor. A credit officer sees credit alerts only, and asking for another domain gets 403.',
        querystring: S.AlertsQuery,
      },
      { 200: S.AlertPageAnswer, ...S.ERROR_ANSWERS },
      true,
    ),
    async function alertFeed(request): Promise<AlertPageAnswer> {
      const user = signedIn(request);
      const q = request.query;
      const domain = alertDomainFor(user, q.domain);
      return read(request, () =>
        reads.listAlerts({
          domain,
          severity: q.severity,
          typology: q.typology,
          segment: q.segment,
          since: q.since ?? now() - DEFAULT_WINDOW_MS,
          limit: q.limit ?? 50,
          cursor: q.cursor ?? null,
        }),
      );
    },
  );

  app.get<{ Params: S.AlertIdParams; Querystring: S.AlertQuery }>(
    '/api/alerts/:id',
    route(
      'alerts',
      { summary: 'One alert with its decision and event', description: 'Looked up within the window (since, default 7 days).', params: S.AlertIdParams, querystring: S.AlertQuery },
      { 200: S.AlertDetailAnswer, 404: S.ErrorAnswer, ...S.ERROR_ANSWERS },
    ),
    async function alertDetail(request): Promise<AlertDetailAnswer> {
      const user = signedIn(request);
      const { id } = request.params;
      const detail = await read(request, () => reads.getAlert(id, { since: request.query.since, mask: maskPolicyFor(user.roles) }));
      // an alert of a domain the role does not see answers as one that does not exist: a 403 would
      // tell a credit officer which fraud and AML alert ids exist
      if (!detail || (!seesAllAlertDomains(user.roles) && detail.alert.domain !== 'credit')) {
        throw new RiskstreamError('RS_ERR_NOT_FOUND', `no alert ${id} in the window that your role may see; an older one needs ?since=`);
      }
      return detail;
    },
  );

  app.get<{ Params: S.IdParams; Querystring: S.AccountQuery }>(
    '/api/accounts/:id',
    route(
      'accounts',
      {
        summary: 'An account: customer profile, totals and timeline',
        description: 'The timeline is newest first, paged by `before` (the previous page\'s nextBefore). Totals cover the window.',
        params: S.IdParams,
        querystring: S.AccountQuery,
      },
      { 200: S.AccountAnswer, ...S.ERROR_ANSWERS },
    ),
    async function account(request): Promise<AccountAnswer> {
      const user = signedIn(request);
      const q = request.query;
      return read(request, () => reads.getAccount(request.params.id, { limit: q.limit, before: q.before, since: q.since, mask: maskPolicyFor(user.roles) }));
    },
  );

  app.get<{ Params: S.IdParams; Querystring: S.NetworkQuery }>(
    '/api/accounts/:id/network',
    route(
      'accounts',
      {
        summary: 'The counterparty network of an account',
        description: 'Payment edges hop by hop from the account, up to `limit` nodes. Expand a node flagged `more` with its own network.',
        params: S.IdParams,
        querystring: S.NetworkQuery,
      },
      { 200: S.NetworkAnswer, ...S.ERROR_ANSWERS },
    ),
    async function network(request): Promise<NetworkAnswer> {
      const user = signedIn(request);
      const q = request.query;
      return read(request, () => reads.getNetwork(request.params.id, { hops: q.hops, limit: q.limit, since: q.since, mask: maskPolicyFor(user.roles) }));
    },
  );

  app.get<{ Querystring: S.KpisQuery }>(
    '/api/kpis',
    route('kpis', { summary: 'KPI history per minute, oldest first', description: 'Optionally only the decisions of one kind, channel and/or country.', querystring: S.KpisQuery }, {
      200: S.KpiHistoryAnswer,
      ...S.ERROR_ANSWERS,
    }),
    async function kpis(request): Promise<KpiHistoryAnswer> {
      signedIn(request);
      const q = request.query;
      return read(request, () => reads.kpiHistory({ minutes: q.minutes ?? 60, kind: q.kind, channel: q.channel, country: q.country }));
    },
  );

  app.get<{ Querystring: S.CreditQuery }>(
    '/api/credit/summary',
    route('credit', { summary: 'Loan decisions per minute by kind and action', querystring: S.CreditQuery }, { 200: S.CreditSummaryAnswer, ...S.ERROR_ANSWERS }),
    async function credit(request): Promise<CreditSummaryAnswer> {
      signedIn(request);
      return read(request, () => reads.creditSummary({ minutes: request.query.minutes ?? 60 }));
    },
  );

  app.get<{ Querystring: S.DeadLettersQuery }>(
    '/api/system/dead-letters',
    route('deadLetters', { summary: 'The latest dead letters, newest first', querystring: S.DeadLettersQuery }, { 200: S.DeadLettersAnswer, ...S.ERROR_ANSWERS }),
    async function deadLetters(request): Promise<DeadLettersAnswer> {
      signedIn(request);
      const q = request.query;
      return { deadLetters: await read(request, () => reads.recentDeadLetters({ limit: q.limit, since: q.since })) };
    },
  );
};

/** The user the guard admitted; a route reached without one is a wiring mistake, answered as 401. */
function signedIn(request: FastifyRequest): SessionUser {
  if (!request.user) throw new RiskstreamError('RS_ERR_UNAUTHENTICATED');
  return request.user;
}

/** The domain filter to apply: a credit officer's is forced to credit, and asking for another is refused. */
function alertDomainFor(user: SessionUser, asked: S.AlertsQuery['domain']): S.AlertsQuery['domain'] {
  if (seesAllAlertDomains(user.roles)) return asked;
  if (asked !== undefined && asked !== 'credit') throw new RiskstreamError('RS_ERR_FORBIDDEN', 'your role sees credit alerts only');
  return 'credit';
}
