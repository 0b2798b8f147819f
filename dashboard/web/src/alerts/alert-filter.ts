// The feed's filter: the choices offered, and the client-side check that matches what the server
// filters, so nothing that slipped through during a filter change is shown.
import type { AlertFilter } from '../../../server/protocol.js';
import type { FeedAlert as AlertRow } from '../api/wire.js';

type Domain = NonNullable<AlertFilter['domain']>;
type Severity = NonNullable<AlertFilter['severity']>;
type Segment = NonNullable<AlertFilter['segment']>;

export const DOMAIN_CHOICES = ['fraud', 'aml', 'credit'] as const satisfies readonly Domain[];
export const SEVERITY_CHOICES = ['low', 'medium', 'high', 'critical'] as const satisfies readonly Severity[];
export const SEGMENT_CHOICES = ['vip', 'important', 'standard'] as const satisfies readonly Segment[];

export function matchesFilter(alert: AlertRow, filter: AlertFilter): boolean {
  return (
    (filter.domain === undefined || alert.domain === filter.domain) &&
    (filter.severity === undefined || alert.severity === filter.severity) &&
    (filter.typology === undefined || alert.typology === filter.typology) &&
    (filter.segment === undefined || alert.segment === filter.segment)
  );
}

/** The filter without empty fields (the form gives '' for "any"). */
export function filterOf(values: { readonly domain?: string; readonly severity?: string; readonly typology?: string; readonly segment?: string }): AlertFilter {
  const filter: { domain?: Domain; severity?: Severity; typology?: string; segment?: Segment } = {};
  if ((DOMAIN_CHOICES as readonly string[]).includes(values.domain ?? '')) filter.domain = values.domain as Domain;
  if ((SEVERITY_CHOICES as readonly string[]).includes(values.severity ?? '')) filter.severity = values.severity as Severity;
  if ((SEGMENT_CHOICES as readonly string[]).includes(values.segment ?? '')) filter.segment = values.segment as Segment;
  const typology = values.typology?.trim() ?? '';
  if (typology !== '') filter.typology = typology;
  return filter;
}

const FILTER_FIELDS = ['domain', 'severity', 'typology', 'segment'] as const;

/** The filter as URL query text for the feed's address (`domain=aml&severity=high`); '' for none. */
export function filterToQuery(filter: AlertFilter): string {
  const params = new URLSearchParams();
  for (const field of FILTER_FIELDS) {
    const value = filter[field];
    if (value !== undefined) params.set(field, value);
  }
  return params.toString();
}

/** The filter in URL query text; unknown fields and values are left out. */
export function filterFromQuery(query: string): AlertFilter {
  const params = new URLSearchParams(query);
  const values: Record<string, string> = {};
  for (const field of FILTER_FIELDS) values[field] = params.get(field) ?? '';
  return filterOf(values);
}

/** The feed's address with the filter last used in this tab: where "Back to alerts" goes. */
let lastFeedQuery = '';

export function rememberFeedQuery(query: string): void {
  lastFeedQuery = query;
}

export function feedHref(): string {
  return lastFeedQuery === '' ? '#/alerts' : `#/alerts?${lastFeedQuery}`;
}
