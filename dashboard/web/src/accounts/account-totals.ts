// The account page's totals, kept live: what GET /api/accounts/:id read, plus every decision and
// alert the account topic pushes for the account that the read did not hold, counted as storage
// counts them (storage/read-models/account-view.ts: payments only, in and out; cash at the counter
// one way; alerts raised on and blocks of the account's payments out). Pure: answers, decisions
// and alerts in, totals out.
//
// What the read holds is told exactly from the answer since 2026-12-07: its totals are the page's
// events, with the decision and the alerts the page lists for each, plus the events dated before
// nextBefore. So a pushed decision or alert is in the read when its event is on the page and the
// page shows it (the event decided; the alert's id among its alertIds), or when its event is dated
// before nextBefore; anything else was stored after the read looked, and is added.
import type { AccountAnswer, AccountAlert, DecisionSummary } from '../../../server/protocol.js';

export type AccountTotals = AccountAnswer['totals'];

/** Pushes remembered to re-apply over a newer read (a reconnect reads again); more than an account gets in the seconds a read takes. */
const RECENT_KEPT = 1_000;

/** An event of the read page: whether the page shows it decided, and the alerts it lists on it. */
type PageEvent = { readonly decided: boolean; readonly alertIds: ReadonlySet<string> };

type Pushed = { readonly kind: 'decision'; readonly decision: DecisionSummary } | { readonly kind: 'alert'; readonly alert: AccountAlert };

export class LiveAccountTotals {
  readonly accountId: string;
  private _readAt = 0;
  private _totals: AccountTotals | null = null;
  private _added = 0;
  private _alertsAdded = 0;
  /** The read's timeline page: those events, decisions and alerts are in its totals. */
  private _page = new Map<string, PageEvent>();
  /** The read counted every event dated before this (its nextBefore), else -Infinity. */
  private _countedBefore = -Infinity;
  /** The event times the read covered (its totals count no event outside them). */
  private _window = { since: -Infinity, until: Infinity };
  private readonly _recent: Pushed[] = [];
  private readonly _recentIds = new Set<string>();

  constructor(accountId: string) {
    this.accountId = accountId;
  }

  /** The totals as they stand, or null before the first read. */
  get totals(): AccountTotals | null {
    return this._totals;
  }

  /** When the totals were read (epoch ms; 0 before the first read). */
  get readAt(): number {
    return this._readAt;
  }

  /** Decisions added to the read totals since. */
  get added(): number {
    return this._added;
  }

  /** Alerts added to the read totals since. */
  get alertsAdded(): number {
    return this._alertsAdded;
  }

  /** A read of the account (GET /api/accounts/:id, its first timeline page), made at `readAt`. */
  read(answer: AccountAnswer, readAt: number): void {
    this._readAt = readAt;
    this._totals = answer.totals;
    this._added = 0;
    this._alertsAdded = 0;
    this._page = new Map(answer.timeline.map((entry) => [entry.eventId, { decided: entry.action !== null, alertIds: new Set(entry.alertIds) }]));
    this._countedBefore = answer.nextBefore ?? -Infinity;
    // (a server from before the window was in the answer: everything counts, as before)
    this._window = answer.window ?? { since: -Infinity, until: Infinity };
    for (const pushed of this._recent) {
      if (pushed.kind === 'decision') this._applyDecision(pushed.decision);
      else this._applyAlert(pushed.alert);
    }
  }

  /** A decision pushed for the account (either side); returns whether the totals changed. */
  add(decision: DecisionSummary): boolean {
    if (!this._remember(`d:${decision.eventId}`, { kind: 'decision', decision })) return false;
    return this._applyDecision(decision);
  }

  /**
   * An alert pushed for the account; returns whether the totals changed. An id already pushed (a
   * copy after a reconnect to another process, a redelivery) is not counted again.
   */
  addAlert(alert: AccountAlert): boolean {
    if (!this._remember(`a:${alert.id}`, { kind: 'alert', alert })) return false;
    return this._applyAlert(alert);
  }

  private _remember(key: string, pushed: Pushed): boolean {
    if (this._recentIds.has(key)) return false;
    this._recent.push(pushed);
    this._recentIds.add(key);
    if (this._recent.length > RECENT_KEPT) this._recentIds.delete(keyOf(this._recent.shift()!));
    return true;
  }

  /** Whether a push on an event of this time may be missing from the read: inside its window, and dated from its nextBefore on. */
  private _readMissed(eventTs: number): boolean {
    // Outside the event times the read covered (a replay of old data, a late event): a reload would not count it.
    if (eventTs < this._window.since || eventTs >= this._window.until) return false;
    return eventTs >= this._countedBefore;
  }

  private _applyDecision(decision: DecisionSummary): boolean {
    const base = this._totals;
    if (base === null || decision.eventKind !== 'payment' || !this._readMissed(decision.eventTs)) return false;
    const onPage = this._page.get(decision.eventId);
    const id = this.accountId;
    const cashHere = decision.accountId === decision.counterpartyId;
    // On the page, the event is counted already; its block is, if the page shows it decided.
    const counted = onPage === undefined;
    const out = counted && decision.accountId === id && !(cashHere && decision.paymentType === 'cash_deposit');
    const into = counted && decision.counterpartyId === id && !(cashHere && decision.paymentType === 'cash_withdrawal');
    const blocked = !onPage?.decided && decision.accountId === id && decision.action === 'block';
    if (!out && !into && !blocked) return false;
    const usd = decision.amountUsd ?? '0.00';
    this._totals = {
      events: base.events + (out || into ? 1 : 0),
      firstSeen: (out || into) && (base.firstSeen === null || decision.eventTs < base.firstSeen) ? decision.eventTs : base.firstSeen,
      lastSeen: (out || into) && (base.lastSeen === null || decision.eventTs > base.lastSeen) ? decision.eventTs : base.lastSeen,
      inUsd: into ? addCents(base.inUsd, usd) : base.inUsd,
      outUsd: out ? addCents(base.outUsd, usd) : base.outUsd,
      alerts: base.alerts,
      blocked: base.blocked + (blocked ? 1 : 0),
    };
    this._added += 1;
    return true;
  }

  private _applyAlert(alert: AccountAlert): boolean {
    const base = this._totals;
    // An alert names the debtor's account: it is the account's when it names it.
    if (base === null || alert.accountId !== this.accountId || alert.eventKind !== 'payment' || !this._readMissed(alert.ts)) return false;
    if (this._page.get(alert.eventId)?.alertIds.has(alert.id)) return false;
    this._totals = { ...base, alerts: base.alerts + 1 };
    this._alertsAdded += 1;
    return true;
  }
}

function keyOf(pushed: Pushed): string {
  return pushed.kind === 'decision' ? `d:${pushed.decision.eventId}` : `a:${pushed.alert.id}`;
}

/** The sum of two decimal texts of USD ("1234.56"), exactly (BigInt cents; money is never a float). */
export function addCents(a: string, b: string): string {
  const cents = centsOf(a) + centsOf(b);
  const negative = cents < 0n;
  const digits = (negative ? -cents : cents).toString().padStart(3, '0');
  return `${negative ? '-' : ''}${digits.slice(0, -2)}.${digits.slice(-2)}`;
}

function centsOf(text: string): bigint {
  const match = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(text.trim());
  if (match === null) return 0n;
  const cents = BigInt(match[2]!) * 100n + BigInt((match[3] ?? '').padEnd(2, '0'));
  return match[1] === '-' ? -cents : cents;
}
