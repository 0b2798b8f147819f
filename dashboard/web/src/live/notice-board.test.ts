// Which notices stand when several come: one per slot, the most important first.
import { describe, expect, it } from 'vitest';
import type { LiveNotice } from './live-connection.js';
import { withNotice, withoutSlot, type ShownNotice } from './notice-board.js';

const board = (...notices: LiveNotice[]): readonly ShownNotice[] => notices.reduce<readonly ShownNotice[]>(withNotice, []);

describe('notice board', () => {
  it.each<[string, LiveNotice[], ShownNotice[]]>([
    ['a new build, then missed alerts: both, the reload offer first', [{ kind: 'new-build' }, { kind: 'reload', count: 3 }], [{ kind: 'new-build' }, { kind: 'reload', count: 3 }]],
    ['missed alerts, then a new build: the reload offer still first', [{ kind: 'caught-up', count: 2 }, { kind: 'new-build' }], [{ kind: 'new-build' }, { kind: 'caught-up', count: 2 }]],
    ['a server error hides nothing (the indicator does not show it)', [{ kind: 'new-build' }, { kind: 'server-error', code: 'RS_ERR_FORBIDDEN', message: 'no' }], [{ kind: 'new-build' }]],
    ['upgraded replaces a new build (its reload brings the new app too)', [{ kind: 'new-build' }, { kind: 'upgraded' }], [{ kind: 'upgraded' }]],
    ['a new build does not replace upgraded', [{ kind: 'upgraded' }, { kind: 'new-build' }], [{ kind: 'upgraded' }]],
    ['a later caught-up replaces an earlier one', [{ kind: 'caught-up', count: 2 }, { kind: 'caught-up', count: 5 }], [{ kind: 'caught-up', count: 5 }]],
    ['a later gap caught up leaves the earlier reload standing', [{ kind: 'reload', count: 7 }, { kind: 'caught-up', count: 5 }], [{ kind: 'reload', count: 7 }]],
    ['a reload replaces a caught-up', [{ kind: 'caught-up', count: 5 }, { kind: 'reload', count: 7 }], [{ kind: 'reload', count: 7 }]],
    ['two reloads add up', [{ kind: 'reload', count: 7 }, { kind: 'reload', count: 5 }], [{ kind: 'reload', count: 12 }]],
    ['all at once', [{ kind: 'reload', count: 1 }, { kind: 'new-build' }, { kind: 'upgraded' }, { kind: 'caught-up', count: 4 }], [{ kind: 'upgraded' }, { kind: 'reload', count: 1 }]],
    // Account activity is news of its own: before, its count was added to the missed alerts' ("Missed 7 alerts").
    ['missed alerts and missed account activity stand side by side, each counted', [{ kind: 'reload', count: 4 }, { kind: 'account-reload', count: 3 }], [{ kind: 'reload', count: 4 }, { kind: 'account-reload', count: 3 }]],
    ['missed account activity does not replace alerts caught up', [{ kind: 'caught-up', count: 5 }, { kind: 'account-reload', count: 7 }], [{ kind: 'caught-up', count: 5 }, { kind: 'account-reload', count: 7 }]],
    ['alerts after account activity: the alerts first', [{ kind: 'account-reload', count: 2 }, { kind: 'caught-up', count: 1 }], [{ kind: 'caught-up', count: 1 }, { kind: 'account-reload', count: 2 }]],
    ['two gaps in account activity add up', [{ kind: 'account-reload', count: 2 }, { kind: 'account-reload', count: 3 }], [{ kind: 'account-reload', count: 5 }]],
  ])('notice board - %s', (_name, notices, expected) => {
    expect(board(...notices)).toEqual(expected);
  });

  it('notice board - dismissing one slot leaves the other', () => {
    const both = board({ kind: 'new-build' }, { kind: 'reload', count: 3 });
    expect(withoutSlot(both, 'missed')).toEqual([{ kind: 'new-build' }]);
    expect(withoutSlot(both, 'version')).toEqual([{ kind: 'reload', count: 3 }]);
  });

  it('notice board - dismissing the missed alerts leaves the missed account activity, and the other way round', () => {
    const both = board({ kind: 'reload', count: 4 }, { kind: 'account-reload', count: 3 });
    expect(withoutSlot(both, 'missed')).toEqual([{ kind: 'account-reload', count: 3 }]);
    expect(withoutSlot(both, 'account')).toEqual([{ kind: 'reload', count: 4 }]);
  });

  it('notice board - upgraded cannot be dismissed', () => {
    expect(withoutSlot(board({ kind: 'upgraded' }, { kind: 'caught-up', count: 1 }), 'version')).toEqual([{ kind: 'upgraded' }, { kind: 'caught-up', count: 1 }]);
  });

  it('notice board - a dismissed new build comes back only if raised again', () => {
    const dismissed = withoutSlot(board({ kind: 'new-build' }), 'version');
    expect(withNotice(dismissed, { kind: 'caught-up', count: 1 })).toEqual([{ kind: 'caught-up', count: 1 }]);
  });
});
