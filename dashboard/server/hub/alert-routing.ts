// Which clients get which alert: subscribers are grouped by their filter, so an alert is tested
// once per distinct filter (not once per client) and serialised once for all of them.
import { DOMAINS, SEGMENTS, SEVERITIES, type AlertWire } from '../../../core/index.js';
import type { AlertFilter } from '../protocol.js';

/**
 * True when the alert passes the filter: every given field equal. Severity is an exact match, as
 * in GET /api/alerts?severity=, so that catching up after `missed` returns the same set.
 */
export function alertMatches(filter: AlertFilter, alert: Pick<AlertWire, 'domain' | 'severity' | 'typology' | 'segment'>): boolean {
  if (filter.domain !== undefined && alert.domain !== filter.domain) return false;
  if (filter.severity !== undefined && alert.severity !== filter.severity) return false;
  if (filter.typology !== undefined && alert.typology !== filter.typology) return false;
  if (filter.segment !== undefined && alert.segment !== filter.segment) return false;
  return true;
}

/** The largest distance from the epoch a JavaScript Date holds, in ms (ECMAScript's time range). */
const MAX_DATE_MS = 8.64e15;

/** A time in epoch ms that a Date can hold (a larger one would make toISOString throw). */
function isDateMs(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && Math.abs(value) <= MAX_DATE_MS;
}

/** The fields routing reads (the event time too: the hub holds back alerts past the retention), checked; the rest of the alert is passed on as published. */
export function isRoutableAlert(value: unknown): value is AlertWire {
  if (typeof value !== 'object' || value === null) return false;
  const a = value as Record<string, unknown>;
  return (
    typeof a.id === 'string' &&
    isDateMs(a.ts) &&
    isDateMs(a.createdAt) &&
    (DOMAINS as readonly unknown[]).includes(a.domain) &&
    (SEVERITIES as readonly unknown[]).includes(a.severity) &&
    typeof a.typology === 'string' &&
    (SEGMENTS as readonly unknown[]).includes(a.segment)
  );
}

/** A canonical key: the same filter written in any key order lands in the same group. */
export function filterKey(filter: AlertFilter): string {
  return `${filter.domain ?? ''}|${filter.severity ?? ''}|${filter.typology ?? ''}|${filter.segment ?? ''}`;
}

type Group<C> = { readonly filter: AlertFilter; readonly members: Set<C> };

export class AlertRouting<C> {
  private readonly _groups = new Map<string, Group<C>>();
  private readonly _keyOf = new Map<C, string>();

  /** Clients subscribed to alerts. */
  get size(): number {
    return this._keyOf.size;
  }

  /** Distinct filters in use. */
  get groups(): number {
    return this._groups.size;
  }

  /** Subscribes the client with this filter, replacing any earlier one. */
  set(client: C, filter: AlertFilter): void {
    this.remove(client);
    const key = filterKey(filter);
    let group = this._groups.get(key);
    if (!group) {
      group = { filter, members: new Set() };
      this._groups.set(key, group);
    }
    group.members.add(client);
    this._keyOf.set(client, key);
  }

  remove(client: C): void {
    const key = this._keyOf.get(client);
    if (key === undefined) return;
    this._keyOf.delete(client);
    const group = this._groups.get(key)!;
    group.members.delete(client);
    if (group.members.size === 0) this._groups.delete(key);
  }

  /** Calls `deliver` once per client whose filter the alert passes. */
  route(alert: AlertWire, deliver: (client: C) => void): void {
    for (const group of this._groups.values()) {
      if (!alertMatches(group.filter, alert)) continue;
      for (const client of group.members) deliver(client);
    }
  }
}
