// Which of the connection's notices the indicator shows when several come. Before 2026-12-07 the
// indicator kept only the latest one, so the offer of a new build was replaced by the next notice
// (the missed-alerts one after a reconnect, even a server error it does not show) and never came
// back. Now each notice has a slot of its own: a later notice replaces only what stood in its slot,
// and the board lists what stands, the most important first. Missed account activity has a slot of
// its own (before, also 2026-12-07, its count was added to the missed alerts'). Pure.
import type { LiveNotice } from './live-connection.js';

/** A notice the indicator shows (it does not show server errors: the view that asked shows those). */
export type ShownNotice = Exclude<LiveNotice, { kind: 'server-error' }>;
export type NoticeKind = ShownNotice['kind'];

/**
 * - `version`: what the tab should do about an upgrade. `upgraded` (the tab reads nothing until it
 *   is reloaded) outranks `new-build` (a newer app that reads the same messages), since the reload
 *   it asks for brings the new build too. Neither is replaced by anything else: they stand until
 *   reloaded, or, for `new-build`, dismissed.
 * - `missed`: alerts lost in a gap. A `reload` (some are still missing) is not replaced by the
 *   `caught-up` of a later gap, whose alerts are shown while the first gap's are not; a second
 *   `reload` adds its count to the first.
 * - `account`: account activity (decisions, alerts naming the account) lost in a gap. Nothing
 *   fetches it back, so it is always a reload; a second gap adds its count to the first.
 */
export type NoticeSlot = 'version' | 'missed' | 'account';

/** Slot and rank (lower shows first) of each kind. */
const KINDS = {
  upgraded: { slot: 'version', rank: 0 },
  'new-build': { slot: 'version', rank: 1 },
  reload: { slot: 'missed', rank: 2 },
  'caught-up': { slot: 'missed', rank: 3 },
  'account-reload': { slot: 'account', rank: 4 },
} as const satisfies Record<NoticeKind, { slot: NoticeSlot; rank: number }>;

/** Only `upgraded` cannot be dismissed: until the reload, it is the only thing that explains why nothing is live. */
export function isDismissable(notice: ShownNotice): boolean {
  return notice.kind !== 'upgraded';
}

export function slotOf(notice: ShownNotice): NoticeSlot {
  return KINDS[notice.kind].slot;
}

/** The notices standing after `notice` came, the most important first. */
export function withNotice(board: readonly ShownNotice[], notice: LiveNotice): readonly ShownNotice[] {
  if (notice.kind === 'server-error') return board;
  const slot = slotOf(notice);
  const standing = board.find((n) => slotOf(n) === slot);
  const kept = standing === undefined ? notice : merged(standing, notice);
  return sortByRank([...board.filter((n) => slotOf(n) !== slot), kept]);
}

/** The notices standing after the user dismissed the one of `slot` (an `upgraded` stays). */
export function withoutSlot(board: readonly ShownNotice[], slot: NoticeSlot): readonly ShownNotice[] {
  return board.filter((n) => slotOf(n) !== slot || !isDismissable(n));
}

/** What stands in a slot when `next` comes to where `standing` is. */
function merged(standing: ShownNotice, next: ShownNotice): ShownNotice {
  if (KINDS[standing.kind].slot === 'version') return KINDS[next.kind].rank <= KINDS[standing.kind].rank ? next : standing;
  if (standing.kind === 'reload' && next.kind === 'reload') return { kind: 'reload', count: standing.count + next.count };
  if (standing.kind === 'account-reload' && next.kind === 'account-reload') return { kind: 'account-reload', count: standing.count + next.count };
  if (standing.kind === 'reload') return standing;
  return next;
}

function sortByRank(board: ShownNotice[]): readonly ShownNotice[] {
  return board.sort((a, b) => KINDS[a.kind].rank - KINDS[b.kind].rank);
}
