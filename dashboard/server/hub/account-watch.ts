// Which clients watch which accounts on the account topic, and the cheap tests that let the hub
// skip parsing the (many) decisions and alerts that concern no watched account; what the topic
// pushes: the account's decisions, and the alerts that name it.
import type { AlertWire, DecisionWire } from '../../../core/index.js';
import type { DecisionSummary } from '../protocol.js';
import { amountText, usdAmountText } from './wire-amount.js';

export class AccountWatch<C> {
  private readonly _watchers = new Map<string, Set<C>>();
  private readonly _byClient = new Map<C, Set<string>>();

  /** Distinct accounts watched by anyone. */
  get accounts(): number {
    return this._watchers.size;
  }

  countFor(client: C): number {
    return this._byClient.get(client)?.size ?? 0;
  }

  watches(client: C, accountId: string): boolean {
    return this._byClient.get(client)?.has(accountId) ?? false;
  }

  watchersOf(accountId: string): ReadonlySet<C> | undefined {
    return this._watchers.get(accountId);
  }

  add(client: C, accountId: string): void {
    let clients = this._watchers.get(accountId);
    if (!clients) {
      clients = new Set();
      this._watchers.set(accountId, clients);
    }
    clients.add(client);
    let ids = this._byClient.get(client);
    if (!ids) {
      ids = new Set();
      this._byClient.set(client, ids);
    }
    ids.add(accountId);
  }

  /** Stops the client watching one account, or every account when none is named. */
  remove(client: C, accountId?: string): void {
    const ids = this._byClient.get(client);
    if (!ids) return;
    for (const id of accountId === undefined ? [...ids] : [accountId]) {
      if (!ids.delete(id)) continue;
      const clients = this._watchers.get(id);
      clients?.delete(client);
      if (clients?.size === 0) this._watchers.delete(id);
    }
    if (ids.size === 0) this._byClient.delete(client);
  }

  /**
   * Account ids named in a decision's JSON text that someone watches. A look at the text, not a
   * parse: most decisions concern nobody watched and are skipped for the price of two regex scans.
   * The caller parses the hits and checks them against the parsed fields.
   */
  watchedIn(text: string): boolean {
    ACCOUNT_FIELD.lastIndex = 0;
    for (let m = ACCOUNT_FIELD.exec(text); m !== null; m = ACCOUNT_FIELD.exec(text)) {
      const raw = m[1]!;
      const id = raw.includes('\\') ? safeUnescape(raw) : raw;
      if (id !== null && this._watchers.has(id)) return true;
    }
    return false;
  }

  /**
   * Whether an alert's JSON text may name a watched account (`accountId`), for the price of a scan
   * instead of a parse. While no tab takes the alert feed, the hub parses only the alerts this lets
   * through: in an alert storm with an account page open, nearly all of them name another account.
   *
   * Never a false "no" for valid JSON: in text without a backslash, every string is written as it
   * is between its quotes, so an alert naming a watched account holds `"accountId"`, `:` and the id
   * in quotes (whitespace allowed, in any order of keys). Text with a backslash may write the key or
   * the id with escapes (`\u00fc` for ü, `\"` in an id holding a quote, which only such text can
   * hold): unsure, so "yes", and the caller parses. A "yes" may be wrong (a nested `accountId`);
   * the caller routes by the parsed alert.
   */
  mayNameWatched(text: string): boolean {
    if (this._watchers.size === 0) return false;
    if (text.includes('\\')) return true;
    ALERT_ACCOUNT_FIELD.lastIndex = 0;
    for (let m = ALERT_ACCOUNT_FIELD.exec(text); m !== null; m = ALERT_ACCOUNT_FIELD.exec(text)) {
      if (this._watchers.has(m[1]!)) return true;
    }
    return false;
  }
}

const ACCOUNT_FIELD = /"(?:accountId|counterpartyId)":"((?:[^"\\]|\\.)*)"/g;
/** An `accountId` key and its string value, in JSON text without a backslash (JSON's whitespace allowed around the colon). */
const ALERT_ACCOUNT_FIELD = /"accountId"[ \t\n\r]*:[ \t\n\r]*"([^"]*)"/g;

function safeUnescape(raw: string): string | null {
  try {
    return JSON.parse(`"${raw}"`) as string;
  } catch {
    return null;
  }
}

/** The decision as the account topic carries it: without the feature map and the test labels, with its amount as text. */
export function decisionSummary(decision: DecisionWire): DecisionSummary {
  const { features: _features, labels: _labels, ...summary } = decision;
  const amount = amountText(decision.amountMinor, decision.currency);
  const amountUsd = usdAmountText(decision.amountMinor, decision.currency);
  return amount === undefined || amountUsd === undefined ? summary : { ...summary, amount, amountUsd };
}

/**
 * The account-alert frame of an alert naming a watched account: its published text as it is (valid
 * JSON: it parsed), or with its exact amount in front (wire-amount.ts) when it has one, as the
 * alerts topic pushes it.
 */
export function accountAlertFrame(alert: AlertWire, text: string): Buffer {
  const amount = amountText(alert.amountMinor, alert.currency);
  const body = amount === undefined ? text : JSON.stringify({ amount, ...alert });
  return Buffer.from(`{"type":"account-alert","accountId":${JSON.stringify(alert.accountId)},"alert":${body}}`);
}

export function isRoutableDecision(value: unknown): value is DecisionWire {
  if (typeof value !== 'object' || value === null) return false;
  const d = value as Record<string, unknown>;
  return typeof d.eventId === 'string' && typeof d.accountId === 'string' && typeof d.counterpartyId === 'string' && typeof d.decidedAt === 'number';
}
