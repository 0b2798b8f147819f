import { describe, expect, it } from 'vitest';
import { validateEvent } from '../../core/index.js';
import { createBenchPayments } from './payments.js';

describe('bench payments - the load stream', () => {
  it('makes valid payments, the same for the same seed', () => {
    const a = createBenchPayments(3);
    const b = createBenchPayments(3);
    for (let i = 0; i < 2000; i++) {
      const event = a.next(`e${i}`, 1_700_000_000_000 + i);
      expect(validateEvent(event).ok, JSON.stringify(event)).toBe(true);
      expect(b.next(`e${i}`, 1_700_000_000_000 + i)).toEqual(event);
    }
  });

  it.each([
    [0, 0, 0],
    [0.01, 0.006, 0.014],
    [0.1, 0.09, 0.11],
  ])('with alert share %d, that share of events are tiny card payments from card testers', (share, low, high) => {
    const source = createBenchPayments(11, { alertShare: share });
    let testers = 0;
    const n = 20_000;
    for (let i = 0; i < n; i++) {
      const event = source.next(`e${i}`, 1_700_000_000_000 + i) as { type: string; amount: string; debtor: { accountId: string } };
      if (!event.debtor.accountId.startsWith('CT-')) continue;
      testers++;
      expect(event.type).toBe('card');
      expect(Number(event.amount)).toBeLessThan(5);
      expect(validateEvent(event).ok).toBe(true);
    }
    expect(testers / n).toBeGreaterThanOrEqual(low);
    expect(testers / n).toBeLessThanOrEqual(high);
  });
});
