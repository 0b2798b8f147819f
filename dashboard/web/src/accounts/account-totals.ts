// The account page's totals, kept live: what GET /api/accounts/:id read, plus every decision the
// account topic pushes for the account that the read did not hold, counted as storage counts it
// (storage/read-models/account-view.ts: payments only for events, in and out; cash at the counter
// one way; blocked decisions by the account as debtor). Alerts are not on the account topic: that
// figure stays as read. Pure: answers and decisions in, totals out.
import type { AccountAnswer, DecisionSummary } from '../../../server/protocol.js';

export type AccountTotals = AccountAnswer['totals'];

/** Decisions remembered to re-apply over a newer read (a reconnect reads again); more than an account decides in the seconds a read takes. */
const RECENT_KEPT = 1_000;

export class LiveAccountTotals {
  readonly accountId: string;
  private _readAt = 0;
  private _totals: AccountTotals | null = null;
  private _added = 0;
  /** Ids in the read's timeline page: those events are in its totals. */
  private _inRead = new Set<string>();
  /** The oldest event time the page holds when older pages exist (older events may be counted on them), else -Infinity. */
  private _unknownBefore = -Infinity;
  /** The event times the read covered (its totals count no event outside them). */
  private _window = { since: -Infinity, until: Infinity };
  private readonly _recent: DecisionSummary[] = [];
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

  /** A read of the account (GET /api/accounts/:id, its first timeline page), made at `readAt`. */
  read(answer: AccountAnswer, readAt: number): void {
    this._readAt = readAt;
    this._totals = answer.totals;
    this._added = 0;
    this._inRead = new Set(answer.timeline.map((entry) => entry.eventId));
    const oldest = answer.timeline[answer.timeline.length - 1];
    this._unknownBefore = answer.nextBefore !== null && oldest !== undefined ? oldest.ts : -Infinity;
    // (a server from before the window was in the answer: everything counts, as before)
    this._window = answer.window ?? { since: -Infinity, until: Infinity };
    for (const decision of this._recent) this._apply(decision);
  }

  /** A decision pushed for the account (either side); returns whether the totals changed. */
  add(decision: DecisionSummary): boolean {
    if (this._recentIds.has(decision.eventId)) return false;
    this._recent.push(decision);
    this._recentIds.add(decision.eventId);
    if (this._recent.length > RECENT_KEPT) this._recentIds.delete(this._recent.shift()!.eventId);
    return this._apply(decision);
  }

  private _apply(decision: DecisionSummary): boolean {
    const base = this._totals;
    // In the read already: on its page, or older than its page with older pages unread.
    if (base === null || this._inRead.has(decision.eventId) || decision.eventTs < this._unknownBefore) return false;
    // Outside the event times the read covered (a replay of old data, a late event): a reload would not count it.
    if (decision.eventTs < this._window.since || decision.eventTs >= this._window.until) return false;
    const id = this.accountId;
    const payment = decision.eventKind === 'payment';
    const cashHere = decision.accountId === decision.counterpartyId;
    const out = payment && decision.accountId === id && !(cashHere && decision.paymentType === 'cash_deposit');
    const into = payment && decision.counterpartyId === id && !(cashHere && decision.paymentType === 'cash_withdrawal');
    const blocked = decision.accountId === id && decision.action === 'block';
    if (!out && !into && !blocked) return false;
    const usd = decision.amountUsd ?? '0.00';
    const counted = out || into;
    this._totals = {
      events: base.events + (counted ? 1 : 0),
      firstSeen: counted && (base.firstSeen === null || decision.eventTs < base.firstSeen) ? decision.eventTs : base.firstSeen,
      lastSeen: counted && (base.lastSeen === null || decision.eventTs > base.lastSeen) ? decision.eventTs : base.lastSeen,
      inUsd: into ? addCents(base.inUsd, usd) : base.inUsd,
      outUsd: out ? addCents(base.outUsd, usd) : base.outUsd,
      alerts: base.alerts,
      blocked: base.blocked + (blocked ? 1 : 0),
    };
    this._added += 1;
    return true;
  }
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
