import { describe, expect, it } from 'vitest';
import { isWellFormedSessionId, sessionKeyOf, sessionTtlMs } from './session-store.js';

const now = 1_700_000_000_000;

describe('sessions - lifetime', () => {
  const idle = 8 * 3600_000;
  const absolute = 24 * 3600_000;
  it.each([
    ['just signed in', now, idle],
    ['signed in 10 h ago', now - 10 * 3600_000, idle],
    ['signed in 20 h ago', now - 20 * 3600_000, 4 * 3600_000],
    ['signed in 24 h ago', now - 24 * 3600_000, 0],
    ['signed in 25 h ago', now - 25 * 3600_000, -3600_000],
  ])('%s: may live %i ms more', (_what, createdAt, ttl) => {
    expect(sessionTtlMs(createdAt, now, idle, absolute)).toBe(ttl);
  });
});

describe('sessions - ids', () => {
  it.each([
    ['A'.repeat(43), true],
    ['A'.repeat(42), false],
    ['A'.repeat(44), false],
    ['A'.repeat(42) + '=', false],
    ['', false],
  ])('%j is well formed: %s', (id, expected) => {
    expect(isWellFormedSessionId(id)).toBe(expected);
  });

  it('names a session in Redis by the SHA-256 of its id, never the id', () => {
    const id = 'b'.repeat(43);
    expect(sessionKeyOf(id)).toMatch(/^[0-9a-f]{64}$/);
    expect(sessionKeyOf(id)).not.toContain(id);
    expect(sessionKeyOf(id)).toBe(sessionKeyOf(id));
  });
});
