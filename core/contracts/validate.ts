// Compiled validators for the event contracts, and the step from wire JSON to a validated event.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { isCountryCode } from '../countries.js';
import { hasReportingRate } from '../fx.js';
import { currencyInfo, parseAmount } from '../money.js';
import { REF_PATTERN, type Labels } from './common.js';
import { EVENT_KINDS, EVENT_SCHEMAS, MONEY_FIELDS, isEventKind, type EventKind, type WireEventByKind } from './kinds.js';

// ajv-formats is CommonJS; its default export arrives wrapped under ESM.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (a: Ajv) => Ajv;

/** One problem with an input, named by its JSON pointer. */
export type FieldError = { readonly path: string; readonly rule: string; readonly message: string };

export type ValidatedEvent<K extends EventKind = EventKind> = {
  readonly kind: K;
  readonly id: string;
  /** Event time, epoch milliseconds (UTC). */
  readonly ts: number;
  /** Integer minor units of the event's main amount; 0 for kinds without money. */
  readonly amountMinor: number;
  readonly currency: string;
  /** Minor units of every money field present, by field name. */
  readonly money: Readonly<Record<string, number>>;
  /** The key that orders and partitions this event: the debtor account, the customer, or the loan. */
  readonly partitionKey: string;
  readonly customerId: string;
  /** The validated wire event without its labels. */
  readonly body: Omit<WireEventByKind[K], 'labels'>;
  /** Ground truth, kept apart so that no scorer reads it. */
  readonly labels: Labels | undefined;
};

export type ValidationResult =
  | { readonly ok: true; readonly event: ValidatedEvent }
  | { readonly ok: false; readonly errors: readonly FieldError[] };

const MAX_ERRORS = 20;
/** Events more than this far ahead of the receiver's clock are refused as a clock or unit mistake. */
const MAX_FUTURE_MS = 24 * 3600_000;
const MIN_TS = Date.UTC(2000, 0, 1);

const ajv = new Ajv({ allErrors: true, strict: true, coerceTypes: false, useDefaults: false });
addFormats(ajv);
ajv.addFormat('country', { type: 'string', validate: isCountryCode });
const validators = new Map<EventKind, ValidateFunction>();
for (const kind of EVENT_KINDS) validators.set(kind, ajv.compile(EVENT_SCHEMAS[kind]));

function describe(error: ErrorObject): FieldError {
  const at = error.instancePath || '';
  switch (error.keyword) {
    case 'required': {
      const field = (error.params as { missingProperty: string }).missingProperty;
      return { path: `${at}${pointer(field)}`, rule: 'required', message: `${field} is required` };
    }
    case 'additionalProperties': {
      const field = (error.params as { additionalProperty: string }).additionalProperty;
      return { path: `${at}${pointer(field)}`, rule: 'unknown_field', message: `${field} is not a field of this event` };
    }
    case 'enum': {
      const allowed = (error.params as { allowedValues: unknown[] }).allowedValues;
      return { path: at, rule: 'enum', message: `must be one of: ${allowed.join(', ')}` };
    }
    case 'type':
      return { path: at, rule: 'type', message: `must be ${(error.params as { type: string }).type}` };
    case 'pattern':
      if ((error.params as { pattern: string }).pattern === REF_PATTERN) {
        return { path: at, rule: 'pattern', message: 'must not start or end with a space, nor hold a control character (a tab, a line break)' };
      }
      return { path: at, rule: 'pattern', message: patternMessage(at) };
    case 'format':
      if ((error.params as { format: string }).format === 'country') {
        return { path: at, rule: 'country', message: 'must be an ISO 3166-1 alpha-2 country code in use, such as "US" or "GB" (the United Kingdom is "GB", not "UK")' };
      }
      return { path: at, rule: 'format', message: error.message ?? 'is invalid' };
    case 'const':
      return { path: at, rule: 'const', message: `must be ${JSON.stringify((error.params as { allowedValue: unknown }).allowedValue)}` };
    default:
      return { path: at, rule: error.keyword, message: error.message ?? 'is invalid' };
  }
}

function patternMessage(path: string): string {
  if (/\/(amount|amountDue|value|annualIncome|monthlyDebtPayments|collateralValue|installmentAmount|debtorBalance)$/.test(path)) {
    return 'must be a non-negative decimal string such as "1250.00" (not a number, not negative)';
  }
  if (path.endsWith('/currency')) return 'must be a three-letter ISO 4217 code such as "USD"';
  if (path.endsWith('/country') || path.endsWith('/nationality')) return 'must be a two-letter ISO 3166-1 code such as "US"';
  if (path.endsWith('/id')) return 'must start with a letter or digit and hold only letters, digits and . _ : @ -';
  return 'does not have the expected format';
}

/** RFC 3339's zone: Z, or an offset with its colon (`+0100` is ISO 8601's basic form, not RFC 3339). */
const ZONE = /(?:[Zz]|[+-]\d{2}:\d{2})$/;
/** A leap second (`23:59:60Z`), which RFC 3339 allows and JavaScript's clock cannot hold. */
const LEAP_SECOND = /:60(?:\.\d+)?(?=(?:[Zz]|[+-]\d{2}:\d{2})$)/;

const RFC_3339_MESSAGE = 'must be an RFC 3339 date-time with its offset, such as "2026-11-29T10:15:00.000Z" or "2026-11-29T11:15:00+01:00"';

/**
 * Epoch milliseconds of an RFC 3339 time the schema's format let through; NaN when it is not one.
 * A leap second is read as the last millisecond before it, so that it keeps its place in order.
 */
export function eventTime(text: string): number {
  if (!ZONE.test(text)) return Number.NaN;
  return Date.parse(LEAP_SECOND.test(text) ? text.replace(LEAP_SECOND, ':59.999') : text);
}

/** A JSON pointer (RFC 6901) to the field named by these keys, each escaped. */
export function pointer(...parts: string[]): string {
  return '/' + parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');
}

/**
 * Validates one decoded JSON value as an event. `assignId` supplies an id when the client gave
 * none (ingest assigns one; a message on the bus without an id is refused).
 */
export function validateEvent(input: unknown, assignId?: () => string, now: number = Date.now()): ValidationResult {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, errors: [{ path: '', rule: 'type', message: 'an event must be a JSON object' }] };
  }
  const record = input as Record<string, unknown>;
  const kind = record.kind;
  if (!isEventKind(kind)) {
    return {
      ok: false,
      errors: [
        kind === undefined
          ? { path: '/kind', rule: 'required', message: 'kind is required' }
          : { path: '/kind', rule: 'enum', message: `unknown kind ${JSON.stringify(kind)}; kinds are: ${EVENT_KINDS.join(', ')}` },
      ],
    };
  }
  const validate = validators.get(kind)!;
  // Every problem at once: the value checks below also run when the shape is wrong elsewhere,
  // on each field whose own shape passed (an amount's scale is checked even if `installment` is bad).
  const errors: FieldError[] = validate(record) ? [] : withoutRedundantFormats(collapseAnyOf(validate.errors ?? [])).map(describe);
  const shapeWrong = new Set(errors.map((e) => e.path));
  let ts = Number.NaN;
  if (typeof record.ts === 'string' && !shapeWrong.has('/ts')) {
    ts = eventTime(record.ts);
    if (Number.isNaN(ts)) {
      // the schema's date-time format lets through a few shapes that are not RFC 3339 or no clock reads (an offset without its colon or minutes)
      errors.push({ path: '/ts', rule: 'format', message: RFC_3339_MESSAGE });
    } else if (ts < MIN_TS || ts > now + MAX_FUTURE_MS) {
      errors.push({ path: '/ts', rule: 'range', message: 'must be a time after 2000-01-01 and at most 24 hours ahead of now' });
    }
  }
  if (!Number.isNaN(ts)) errors.push(...datesInRange(kind, record, ts, shapeWrong));
  const currency = typeof record.currency === 'string' ? record.currency : '';
  const currencyShaped = currency !== '' && !shapeWrong.has('/currency');
  let currencyKnown = currencyShaped && currencyInfo(currency) !== undefined;
  const money: Record<string, number> = {};
  for (const field of MONEY_FIELDS[kind]) {
    const value = record[field];
    if (typeof value !== 'string' || shapeWrong.has(pointer(field)) || !currencyShaped) continue;
    const parsed = parseAmount(value, currency);
    if (parsed.ok) money[field] = parsed.minor;
    else if (parsed.rule === 'currency') {
      currencyKnown = false;
      errors.push({ path: '/currency', rule: 'currency', message: parsed.message });
    } else errors.push({ path: pointer(field), rule: `amount_${parsed.rule}`, message: parsed.message });
  }
  if (MONEY_FIELDS[kind].length > 0 && currencyKnown && !hasReportingRate(currency)) {
    errors.push({
      path: '/currency',
      rule: 'fx_rate',
      message: `riskstream has no USD rate for ${currency}, so it cannot value the amounts for its features and limits; the operator adds one with RISKSTREAM_FX_RATES (for example {"${currency}":0.00027}: USD per unit)`,
    });
  }
  if (errors.length > 0) return { ok: false, errors: dedupe(errors).slice(0, MAX_ERRORS) };

  let id = record.id as string | undefined;
  if (id === undefined) {
    if (!assignId) return { ok: false, errors: [{ path: '/id', rule: 'required', message: 'id is required' }] };
    id = assignId();
  }
  const { labels, ...body } = record;
  const main = MONEY_FIELDS[kind][0];
  return {
    ok: true,
    event: {
      kind,
      id,
      ts,
      amountMinor: main === undefined ? 0 : (money[main] ?? 0),
      currency,
      money,
      partitionKey: partitionKeyOf(kind, record),
      customerId: customerIdOf(kind, record),
      body: { ...body, id } as ValidatedEvent['body'],
      labels: labels as Labels | undefined,
    },
  };
}

/**
 * One error per value that matched none of its alternatives (an IP address that is neither IPv4 nor
 * IPv6), naming them, instead of the first alternative's error and a bare "must match a schema in
 * anyOf".
 */
function collapseAnyOf(errors: readonly ErrorObject[]): ErrorObject[] {
  const paths = new Set(errors.filter((e) => e.keyword === 'anyOf').map((e) => e.instancePath));
  if (paths.size === 0) return [...errors];
  const out: ErrorObject[] = [];
  const done = new Set<string>();
  for (const error of errors) {
    const path = error.instancePath;
    if (!paths.has(path)) {
      out.push(error);
      continue;
    }
    if (done.has(path)) continue;
    done.add(path);
    const alternatives = errors.filter((e) => e.instancePath === path && e.keyword !== 'anyOf');
    const formats = alternatives.length > 0 && alternatives.every((e) => e.keyword === 'format') ? alternatives.map((e) => (e.params as { format: string }).format) : null;
    out.push(
      formats
        ? { ...error, keyword: 'format', message: `must be ${[...new Set(formats)].join(' or ')}` }
        : { ...error, message: alternatives.length > 0 ? [...new Set(alternatives.map((e) => e.message))].join(', or ') : (error.message ?? 'matches none of its alternatives') },
    );
  }
  return out;
}

/** The earliest calendar date any date field may hold (a birth date included). */
const MIN_DATE_MS = Date.UTC(1900, 0, 1);
/** The latest: loan schedules run decades, not centuries. */
const MAX_DATE_MS = Date.UTC(2200, 0, 1);

/**
 * Dates that no record could hold: a birth or the start of a relationship after the event that
 * reports it (a customer onboarded in 2099 reads as a brand-new one), any date before 1900 or
 * after 2200 (a year typed wrong). Fields whose shape is already wrong are left to that error.
 */
function datesInRange(kind: EventKind, record: Record<string, unknown>, ts: number, shapeWrong: ReadonlySet<string>): FieldError[] {
  const errors: FieldError[] = [];
  // time: a date-time, read as ts is (its schema format lets through offsets no clock reads, which
  // the feature store would then take for an unknown date); otherwise a calendar date
  const check = (field: string, latest: number | null, what: string, time = false): void => {
    const value = record[field];
    if (typeof value !== 'string' || shapeWrong.has(`/${field}`)) return;
    const ms = time ? eventTime(value) : Date.parse(value);
    if (Number.isNaN(ms)) {
      if (time) errors.push({ path: `/${field}`, rule: 'format', message: RFC_3339_MESSAGE });
      return;
    }
    if (ms < MIN_DATE_MS || ms >= MAX_DATE_MS) errors.push({ path: `/${field}`, rule: 'range', message: 'must be a date from 1900 to 2199' });
    else if (latest !== null && ms > latest) errors.push({ path: `/${field}`, rule: 'range', message: `must not be after the event's ts: ${what}` });
  };
  if (kind === 'customer') {
    check('dateOfBirth', ts, 'a customer is born before they are reported');
    // the relationship may begin a little after the profile is sent (an account opened tomorrow)
    check('onboardedAt', ts + MAX_FUTURE_MS, 'a relationship that begins more than a day after the event reads as a brand-new customer', true);
  }
  for (const field of ['firstDueDate', 'dueDate']) check(field, null, '');
  return errors;
}

/** A value of the wrong shape ("uk") is not also reported as missing from the list of codes. */
function withoutRedundantFormats(errors: readonly ErrorObject[]): ErrorObject[] {
  const shapeWrong = new Set(errors.filter((e) => e.keyword === 'pattern').map((e) => e.instancePath));
  return errors.filter((e) => e.keyword !== 'format' || !shapeWrong.has(e.instancePath));
}

function dedupe(errors: FieldError[]): FieldError[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    const key = `${e.path}|${e.rule}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function partitionKeyOf(kind: EventKind, r: Record<string, unknown>): string {
  switch (kind) {
    case 'payment':
      return (r.debtor as { accountId: string }).accountId;
    case 'collateral.valuation':
      return (r.loanId ?? r.customerId ?? r.collateralId) as string;
    default:
      return r.customerId as string;
  }
}

function customerIdOf(kind: EventKind, r: Record<string, unknown>): string {
  if (kind === 'payment') {
    const debtor = r.debtor as { customerId?: string; accountId: string };
    return debtor.customerId ?? '';
  }
  return (r.customerId as string | undefined) ?? '';
}
