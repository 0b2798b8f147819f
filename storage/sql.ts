// Small helpers every storage module shares: the narrow client surface we use, typed row reads,
// identifier quoting, and the conversions between JavaScript values and ClickHouse text.
import type { ClickHouseClient } from '@clickhouse/client';

/** The part of `@clickhouse/client` storage uses; tests wrap it to inject failures. */
export type SqlClient = Pick<ClickHouseClient, 'query' | 'command' | 'insert'>;

/** Query parameters, bound server-side as `{name:Type}`. */
export type SqlParams = Record<string, unknown>;

/** Runs a SELECT and returns its rows as JSON objects. */
export async function selectRows<T>(client: SqlClient, query: string, params: SqlParams = {}): Promise<T[]> {
  const result = await client.query({ query, query_params: params, format: 'JSONEachRow' });
  return result.json<T>();
}

const DATABASE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** Checks a database name before it is interpolated into SQL (it comes from validated config). */
export function assertDatabaseName(database: string): string {
  if (!DATABASE_NAME.test(database)) {
    throw new Error(`"${database}" is not a valid ClickHouse database name (letters, digits and _; starting with a letter or _)`);
  }
  return database;
}

/** `db`.`table`, quoted; both parts are checked identifiers, never user input. */
export function qualified(database: string, table: string): string {
  return `\`${assertDatabaseName(database)}\`.\`${table}\``;
}

/** 2000-01-01 .. 2100-01-01 (epoch ms): the times the contracts accept and dateTime64Text writes unambiguously. */
export function isPlausibleMs(ms: number): boolean {
  return Number.isInteger(ms) && ms >= Date.UTC(2000, 0, 1) && ms < Date.UTC(2100, 0, 1);
}

/**
 * Epoch milliseconds as the text of a DateTime64(3) value: decimal seconds. A bare integer would
 * be read as seconds or as ticks depending on server version and settings; this form is not.
 */
export function dateTime64Text(ms: number): string {
  const whole = Math.floor(ms / 1000);
  const fraction = ms - whole * 1000;
  return `${whole}.${String(fraction).padStart(3, '0')}`;
}

/**
 * A number from a JSON cell. A ClickHouse server quotes 64-bit integers in JSON by default and
 * chDB does not, so both shapes arrive here.
 */
export function numberOf(cell: unknown): number {
  if (typeof cell === 'number') return cell;
  if (typeof cell === 'string' && cell !== '') return Number(cell);
  return Number.NaN;
}

export function nullableNumberOf(cell: unknown): number | null {
  return cell === null || cell === undefined ? null : numberOf(cell);
}

/**
 * A ClickHouse decimal as text (`toString(x)` drops trailing zeros) with exactly `scale`
 * decimals, by string operations only: the value never passes through a float.
 */
export function decimalText(value: string, scale: number): string {
  const negative = value.startsWith('-');
  const [whole = '0', fraction = ''] = (negative ? value.slice(1) : value).split('.');
  const digits = scale === 0 ? whole : `${whole}.${fraction.padEnd(scale, '0').slice(0, scale)}`;
  return negative ? `-${digits}` : digits;
}
