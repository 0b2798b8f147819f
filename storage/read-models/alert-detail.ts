// One alert with the decision behind it and the event it judged, for the alert drill-down. Alert
// ids are not time-ordered, so the lookup is bounded by a window (last 7 days unless asked) — on
// the event's time or on when the alert was raised, so that every alert the feed lists (which
// pages by when they were raised) opens, a late event's too; the decision and the event are then
// looked up around the alert's event time.
import { formatMinor, type DecisionWire, type EventKind } from '../../core/index.js';
import { qualified, selectRows, type SqlClient } from '../sql.js';
import { ALERT_SELECT, toStored, type AlertCells, type StoredAlert } from './alerts.js';
import { getDecisionAt } from './decisions.js';
import { NO_MASKING, maskEvent, type MaskPolicy } from './personal-data.js';
import { inWindow, timeWindow, type WindowQuery } from './time-window.js';

export type AlertDetailQuery = WindowQuery & {
  /** Whether the event's personal fields are masked for the reader (default: not). */
  readonly mask?: MaskPolicy;
};

export type AlertDetail = {
  readonly alert: StoredAlert;
  readonly decision: (DecisionWire & { readonly amount: string }) | null;
  readonly event: Readonly<Record<string, unknown>> | null;
};

export async function getAlert(client: SqlClient, database: string, id: string, query: AlertDetailQuery, now: number): Promise<AlertDetail | null> {
  const window = timeWindow(query, now);
  const rows = await selectRows<AlertCells>(
    client,
    `SELECT ${ALERT_SELECT}
     FROM ${qualified(database, 'alerts')}
     WHERE id = {id:String} AND ((${inWindow('ts')}) OR (${inWindow('created_at')}))
     LIMIT 1`,
    { id, ...window },
  );
  const row = rows[0];
  if (!row) return null;
  const alert = toStored(row);
  const [decision, raw] = await Promise.all([getDecisionAt(client, database, alert.eventId, alert.ts), rawEventAt(client, database, alert.eventId, alert.ts)]);
  const mask = query.mask ?? NO_MASKING;
  const event = raw === null ? null : mask(alert.eventKind as EventKind) ? maskEvent(raw) : raw;
  return {
    alert,
    decision: decision === null ? null : { ...decision, amount: formatMinor(decision.amountMinor, decision.currency) },
    event,
  };
}

/** The event as ingested, looked up by id within a day of its time. */
async function rawEventAt(client: SqlClient, database: string, eventId: string, ts: number): Promise<Record<string, unknown> | null> {
  const rows = await selectRows<{ raw: string }>(
    client,
    `SELECT raw FROM ${qualified(database, 'events')}
     WHERE id = {eventId:String}
       AND ts >= fromUnixTimestamp64Milli({ts:Int64}) - INTERVAL 1 DAY
       AND ts <= fromUnixTimestamp64Milli({ts:Int64}) + INTERVAL 1 DAY
     LIMIT 1`,
    { eventId, ts },
  );
  const raw = rows[0]?.raw;
  return raw === undefined ? null : (JSON.parse(raw) as Record<string, unknown>);
}
