// Alert pages from GET /api/alerts: the feed's first page and "load older", and the catch-up after
// a gap in the live stream.
import type { AlertFilter, AlertPageAnswer } from '../../../server/protocol.js';
import type { Api } from './http.js';

export type AlertRow = AlertPageAnswer['alerts'][number];

const PAGE = 500;
/** Beyond this many missed alerts, catching up costs more than a reload; the notice says "reload". */
export const MAX_CATCH_UP = 2_000;

export function fetchAlertPage(api: Api, filter: AlertFilter | undefined, cursor: string | null, limit = 200): Promise<AlertPageAnswer> {
  return api.get<AlertPageAnswer>('/api/alerts', { ...filter, limit, cursor });
}

/** Alerts created at or after `since`, up to MAX_CATCH_UP; `complete` false when the server had more. */
export async function fetchAlertsSince(api: Api, since: number, filter: AlertFilter | undefined): Promise<{ alerts: AlertRow[]; complete: boolean }> {
  const alerts: AlertRow[] = [];
  let cursor: string | null = null;
  do {
    const page: AlertPageAnswer = await api.get<AlertPageAnswer>('/api/alerts', { ...filter, since, limit: PAGE, cursor });
    alerts.push(...page.alerts);
    cursor = page.nextCursor;
  } while (cursor !== null && alerts.length < MAX_CATCH_UP);
  return { alerts, complete: cursor === null };
}
