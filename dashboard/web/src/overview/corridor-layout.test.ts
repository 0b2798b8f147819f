import { describe, expect, test } from 'vitest';
import { spreadLabels } from './corridor-layout.js';

describe('corridor labels', () => {
  test('labels far enough apart stay at their nodes', () => {
    expect(spreadLabels([20, 80, 150], 12, 4, 248)).toEqual([20, 80, 150]);
  });

  test('thin nodes stacked at the bottom get labels 12 px apart, pushed up to stay inside', () => {
    const ys = spreadLabels([100, 231, 236, 240, 243, 246, 248], 12, 4, 248);
    for (let i = 1; i < ys.length; i++) expect(ys[i]! - ys[i - 1]!).toBeGreaterThanOrEqual(12);
    expect(ys[ys.length - 1]).toBe(248);
    expect(ys[0]).toBe(100);
    // each label moved as little as the gaps allow: the block ends at the bottom
    expect(ys).toEqual([100, 188, 200, 212, 224, 236, 248]);
  });

  test('a label never leaves the top', () => {
    expect(spreadLabels([0, 1, 2], 12, 4, 248)).toEqual([4, 16, 28]);
  });
});
