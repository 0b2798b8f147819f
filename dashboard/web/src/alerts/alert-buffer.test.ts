// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { makeAlert } from '../test-support/fakes.js';
import { AlertBuffer } from './alert-buffer.js';
import { FrameBatcher } from './frame-batcher.js';

const at = (createdAt: number, id = `a${createdAt}`) => makeAlert({ id, createdAt });
const ids = (buffer: AlertBuffer) => buffer.items.map((a) => a.id);

describe('alert buffer', () => {
  const cases: ReadonlyArray<{ name: string; capacity: number; steps: ReadonlyArray<['newer' | 'older', number[]]>; expected: string[]; detached: boolean }> = [
    { name: 'keeps newest first', capacity: 10, steps: [['newer', [1, 3, 2]]], expected: ['a3', 'a2', 'a1'], detached: false },
    { name: 'prepends a later batch', capacity: 10, steps: [['newer', [1, 2]], ['newer', [4, 3]]], expected: ['a4', 'a3', 'a2', 'a1'], detached: false },
    { name: 'merges a late alert into place', capacity: 10, steps: [['newer', [1, 5]], ['newer', [3]]], expected: ['a5', 'a3', 'a1'], detached: false },
    { name: 'drops duplicates', capacity: 10, steps: [['newer', [1, 2]], ['newer', [2, 1, 3]], ['older', [1]]], expected: ['a3', 'a2', 'a1'], detached: false },
    { name: 'live alerts push out the oldest', capacity: 3, steps: [['newer', [1, 2, 3]], ['newer', [4, 5]]], expected: ['a5', 'a4', 'a3'], detached: false },
    { name: 'older pages push out the newest and detach from live', capacity: 3, steps: [['newer', [5, 6, 7]], ['older', [3, 4]]], expected: ['a5', 'a4', 'a3'], detached: true },
  ];
  for (const c of cases) {
    it(`alert buffer - ${c.name}`, () => {
      const buffer = new AlertBuffer(c.capacity);
      for (const [kind, times] of c.steps) {
        const batch = times.map((t) => at(t));
        if (kind === 'newer') buffer.addNewer(batch);
        else buffer.addOlder(batch);
      }
      expect(ids(buffer)).toEqual(c.expected);
      expect(buffer.detachedFromLive).toBe(c.detached);
    });
  }

  it('alert buffer - an alert pushed out can come back (its id is forgotten with it)', () => {
    const buffer = new AlertBuffer(2);
    buffer.addNewer([at(1), at(2), at(3)]);
    expect(buffer.has('a1')).toBe(false);
    buffer.clear();
    expect(buffer.addNewer([at(1)])).toBe(1);
  });

  it('alert buffer - stays bounded under a long stream', () => {
    const buffer = new AlertBuffer(5_000);
    for (let i = 0; i < 20; i += 1) buffer.addNewer(Array.from({ length: 1_000 }, (_, j) => at(i * 1_000 + j)));
    expect(buffer.size).toBe(5_000);
    expect(buffer.items[0]!.createdAt).toBe(19_999);
  });
});

describe('frame batcher', () => {
  it('frame batcher - hands a burst over once per frame', () => {
    const frames: Array<() => void> = [];
    const flushed: number[][] = [];
    const batcher = new FrameBatcher<number>((items) => flushed.push(items), (cb) => frames.push(cb));
    for (let i = 0; i < 500; i += 1) batcher.push(i);
    expect(frames).toHaveLength(1);
    frames.shift()!();
    batcher.push(500);
    frames.shift()!();
    expect(flushed.map((b) => b.length)).toEqual([500, 1]);
  });

  it('frame batcher - discards what is pending', () => {
    const frames: Array<() => void> = [];
    const flushed: number[][] = [];
    const batcher = new FrameBatcher<number>((items) => flushed.push(items), (cb) => frames.push(cb));
    batcher.push(1);
    batcher.discard();
    frames.shift()!();
    expect(flushed).toEqual([]);
  });
});
