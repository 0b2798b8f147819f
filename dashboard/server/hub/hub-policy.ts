// What the hub allows: its limits and their defaults, the close codes it uses, and which topics
// and alerts a user's roles reach. Pure.
import { TOPICS, TOPIC_ROLES, type AlertFilter, type SessionUser, type Topic } from '../protocol.js';
import { DEFAULT_OUTBOX_LIMITS, type OutboxLimits } from './client-outbox.js';

export type HubLimits = OutboxLimits & {
  /** Accounts one client may watch at once on the account topic. */
  readonly maxAccountsPerClient: number;
  /** Connections this process accepts; more are closed with 1013 (try another process or later). */
  readonly maxClients: number;
  /** Connections one user may hold on this process (tabs, devices, sessions together); more are closed with 1008. */
  readonly maxClientsPerUser: number;
  /** Messages a client may send per second; a flood closes it with 1008. */
  readonly maxMessagesPerSecond: number;
  /** Protocol pings go out this often; a client that missed the previous one is terminated. */
  readonly heartbeatMs: number;
  /** How often backlogged clients are retried and stalled ones looked for. */
  readonly sweepMs: number;
  /** How often health subscribers get the health view. */
  readonly healthPushMs: number;
  /** A socket asked to close is cut off after this long if its close handshake does not finish. */
  readonly closeGraceMs: number;
  /** How often an open socket's session is looked up again (a sign-out, expiry or role change ends the socket). */
  readonly sessionRecheckMs: number;
};

export const DEFAULT_HUB_LIMITS: HubLimits = {
  ...DEFAULT_OUTBOX_LIMITS,
  maxAccountsPerClient: 5,
  maxClients: 5000,
  maxClientsPerUser: 20,
  maxMessagesPerSecond: 20,
  heartbeatMs: 30_000,
  sweepMs: 500,
  healthPushMs: 2000,
  closeGraceMs: 2000,
  sessionRecheckMs: 60_000,
};

/**
 * Why a socket, or the upgrade that would have opened it, was refused: the `reason` of
 * rs_ws_refused_total. The log says so at most once a minute or two per user, so that a tab (or a
 * script) retrying in a loop cannot flood it; the counter counts every one.
 */
export const WS_REFUSAL_REASONS = ['origin', 'unauthenticated', 'protocol', 'process_full', 'user_limit', 'shutting_down'] as const;
export type WsRefusalReason = (typeof WS_REFUSAL_REASONS)[number];

export const CLOSE_GOING_AWAY = 1001;
export const CLOSE_POLICY = 1008;
export const CLOSE_TOO_BIG = 1009;
export const CLOSE_TRY_LATER = 1013;

/** The topics a user's roles allow. */
export function topicsFor(user: SessionUser): Topic[] {
  return TOPICS.filter((topic) => user.roles.some((role) => TOPIC_ROLES[topic].includes(role)));
}

/** A user whose only role that may see alerts is credit officer sees credit alerts only, whatever the filter says. */
export function effectiveAlertFilter(user: SessionUser, filter: AlertFilter): AlertFilter {
  const alertRoles = user.roles.filter((role) => TOPIC_ROLES.alerts.includes(role));
  return alertRoles.length > 0 && alertRoles.every((role) => role === 'credit_officer') ? { ...filter, domain: 'credit' } : filter;
}

/** True when two role lists hold the same roles. */
export function sameRoles(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((role) => b.includes(role));
}
