// Who may call which data route, and what they see: the roles per route (in the spirit of
// protocol.ts TOPIC_ROLES), the credit officer's view of alerts (credit only), and which roles get
// personal data masked. Pure: the injected guard enforces ROUTE_ROLES, the routes apply the rest.
import { MASK_ALL, NO_MASKING, type MaskPolicy } from '../../../storage/index.js';
import { USER_ROLES, type UserRole } from '../protocol.js';

export const DATA_ROUTES = ['alerts', 'accounts', 'kpis', 'credit', 'deadLetters'] as const;
export type DataRoute = (typeof DATA_ROUTES)[number];

export const ROUTE_ROLES: Readonly<Record<DataRoute, readonly UserRole[]>> = {
  alerts: USER_ROLES,
  // Accounts and their networks are personal and investigative: not for the credit desk.
  accounts: ['admin', 'risk_monitor', 'compliance_officer', 'compliance_supervisor', 'auditor'],
  kpis: USER_ROLES,
  credit: ['admin', 'credit_officer', 'risk_monitor', 'auditor'],
  // Dead letters carry whole payloads: operators only.
  deadLetters: ['admin', 'risk_monitor'],
};

/** Roles whose work needs names and identities: they see personal data as stored. */
const PERSONAL_DATA_ROLES: readonly UserRole[] = ['admin', 'risk_monitor', 'compliance_officer', 'compliance_supervisor'];
/** Roles that see alerts of every domain; anyone else with the alerts route (the credit officer) sees credit alerts. */
const ALL_ALERT_ROLES: readonly UserRole[] = ['admin', 'risk_monitor', 'compliance_officer', 'compliance_supervisor', 'auditor'];

/**
 * What a user's roles leave unmasked. Roles add up: the least masking of them applies. An auditor
 * sees everything masked; a credit officer sees loan and customer data (their work) but payment
 * data masked.
 */
export function maskPolicyFor(roles: readonly UserRole[]): MaskPolicy {
  if (roles.some((r) => PERSONAL_DATA_ROLES.includes(r))) return NO_MASKING;
  if (roles.includes('credit_officer')) return creditOfficerMasking;
  return MASK_ALL;
}

function creditOfficerMasking(kind: string): boolean {
  return kind === 'payment';
}

/** Whether the roles see alerts of every domain, or only credit alerts. */
export function seesAllAlertDomains(roles: readonly UserRole[]): boolean {
  return roles.some((r) => ALL_ALERT_ROLES.includes(r));
}
