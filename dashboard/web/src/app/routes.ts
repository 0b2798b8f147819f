// Hash routes of the app (`#/alerts/<id>`): they work behind any static server, keep the browser's
// back button and links, and need nothing from the server but `/`.
import type { SessionUser, UserRole } from '../../../server/protocol.js';

export type Route =
  | { readonly name: 'login' }
  | { readonly name: 'security' }
  | { readonly name: 'overview' }
  /** `query`: the feed's filter as URL query text (`domain=aml&severity=high`), when there is one. */
  | { readonly name: 'alerts'; readonly query?: string }
  | { readonly name: 'alert'; readonly id: string }
  | { readonly name: 'account'; readonly id: string }
  | { readonly name: 'credit' }
  | { readonly name: 'health' }
  | { readonly name: 'not-found' };

export type RouteName = Route['name'];

const SIMPLE: Readonly<Record<string, Route>> = {
  '': { name: 'overview' },
  overview: { name: 'overview' },
  login: { name: 'login' },
  security: { name: 'security' },
  alerts: { name: 'alerts' },
  credit: { name: 'credit' },
  health: { name: 'health' },
};

export function parseRoute(hash: string): Route {
  const [rawPath = '', query = ''] = hash.replace(/^#\/?/, '').split('?', 2);
  const path = rawPath.replace(/\/$/, '');
  if (path === 'alerts' && query !== '') return { name: 'alerts', query };
  const simple = SIMPLE[path];
  if (simple !== undefined) return simple;
  const [head, ...rest] = path.split('/');
  const id = rest.length > 0 ? safeDecode(rest.join('/')) : null;
  if (id !== null && id !== '') {
    if (head === 'alerts') return { name: 'alert', id };
    if (head === 'accounts') return { name: 'account', id };
  }
  return { name: 'not-found' };
}

export function hrefOf(route: Route): string {
  switch (route.name) {
    case 'alert':
      return `#/alerts/${encodeURIComponent(route.id)}`;
    case 'account':
      return `#/accounts/${encodeURIComponent(route.id)}`;
    case 'not-found':
    case 'overview':
      return '#/overview';
    case 'alerts':
      return route.query === undefined || route.query === '' ? '#/alerts' : `#/alerts?${route.query}`;
    default:
      return `#/${route.name}`;
  }
}

export function alertHref(id: string): string {
  return hrefOf({ name: 'alert', id });
}

export function accountHref(id: string): string {
  return hrefOf({ name: 'account', id });
}

/** Roles that see alerts of every domain; the others (the credit desk) see credit alerts only (server: access.ts). */
const ALL_ALERT_DOMAIN_ROLES: readonly UserRole[] = ['admin', 'risk_monitor', 'compliance_officer', 'compliance_supervisor', 'auditor'];

/** The alert domains the roles may filter by: choosing another would only answer 403. */
export function alertDomainsFor(roles: readonly UserRole[]): readonly ('fraud' | 'aml' | 'credit')[] {
  return roles.some((role) => ALL_ALERT_DOMAIN_ROLES.includes(role)) ? ['fraud', 'aml', 'credit'] : ['credit'];
}

/** Dead letters carry whole payloads: operators only (server: ROUTE_ROLES.deadLetters). */
export function mayReadDeadLetters(roles: readonly UserRole[]): boolean {
  return roles.includes('admin') || roles.includes('risk_monitor');
}

/** Who may open each page (the server checks again; this only hides what would answer 403). */
const PAGE_ROLES: Partial<Readonly<Record<RouteName, readonly UserRole[]>>> = {
  account: ['admin', 'risk_monitor', 'compliance_officer', 'compliance_supervisor', 'auditor'],
  credit: ['admin', 'risk_monitor', 'credit_officer', 'auditor'],
  health: ['admin', 'risk_monitor', 'auditor'],
};

export function mayOpen(route: RouteName, roles: readonly UserRole[]): boolean {
  const allowed = PAGE_ROLES[route];
  return allowed === undefined || roles.some((role) => allowed.includes(role));
}

function safeDecode(text: string): string | null {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}

/** The page to go back to after signing in again, and who was on it (null: a link opened before anyone signed in). */
export type ReturnTo = { readonly hash: string; readonly username: string | null };

/** Where to go after signing in: the remembered page if it was this user's (or a link opened before anyone signed in) and their roles open it. */
export function returnPage(returnTo: ReturnTo | null, user: Pick<SessionUser, 'username' | 'roles'>): string {
  if (returnTo === null) return '#/overview';
  if (returnTo.username !== null && returnTo.username !== user.username) return '#/overview';
  return mayOpen(parseRoute(returnTo.hash).name, user.roles) ? returnTo.hash : '#/overview';
}
