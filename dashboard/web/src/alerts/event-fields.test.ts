import { describe, expect, it } from 'vitest';
import { eventFields } from './event-fields.js';

describe('event fields', () => {
  it('event fields - nested values become path rows; date-times carry their instant to be shown in local time', () => {
    expect(eventFields({ ts: '2026-12-06T17:23:25.960Z', debtor: { name: 'A', tags: [] }, due: '2026-12-06T18:00:00+01:00', note: '2026-12-06', n: null })).toEqual([
      { path: 'ts', value: '2026-12-06T17:23:25.960Z', time: Date.UTC(2026, 11, 6, 17, 23, 25, 960) },
      { path: 'debtor.name', value: 'A' },
      { path: 'debtor.tags', value: '[]' },
      { path: 'due', value: '2026-12-06T18:00:00+01:00', time: Date.UTC(2026, 11, 6, 17, 0, 0) },
      { path: 'note', value: '2026-12-06' },
      { path: 'n', value: '—' },
    ]);
  });
});
