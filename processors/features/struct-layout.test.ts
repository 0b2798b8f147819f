import { describe, expect, test } from 'vitest';
import { IN_REPLY, OUT_REPLY, SLOT, TOTALS } from './reply-layout.js';
import { packStruct, readStructField, structLayout } from './struct-layout.js';

describe('struct layout - offsets and formats', () => {
  test('offsets follow the sizes of the codes, unaligned', () => {
    const layout = structLayout([
      ['a', 'B'],
      ['b', 'I4'],
      ['c', 'd'],
      ['d', 'i4'],
    ] as const);
    expect(layout.format).toBe('<BI4di4');
    expect(layout.offset).toEqual({ a: 0, b: 1, c: 5, d: 13 });
    expect(layout.size).toBe(17);
  });

  test('a duplicate field name is refused', () => {
    expect(() => structLayout([['a', 'B'], ['a', 'd']] as const)).toThrow(/duplicate/);
  });

  test.each([
    ['slot', SLOT, '<I4dI4dI4', 28],
    ['totals', TOTALS, '<I4i4I4dI4dI4', 36],
  ] as const)('%s values stay within Redis compact hash values (64 bytes)', (_name, layout, format, size) => {
    expect(layout.format).toBe(format);
    expect(layout.size).toBe(size);
  });

  test('the replies start with the same window block', () => {
    for (const name of OUT_REPLY.names.slice(0, 20)) {
      expect(IN_REPLY.offset[name as keyof typeof IN_REPLY.offset]).toBe(OUT_REPLY.offset[name]);
    }
  });
});

describe('struct layout - packing round trip', () => {
  test.each([
    ['byte', 'B', 255],
    ['uint32', 'I4', 4_294_967_295],
    ['int32 negative', 'i4', -2_147_483_648],
    ['double fraction', 'd', 1234.5678],
    ['double large integer', 'd', 2 ** 53 - 1],
    ['double minus one', 'd', -1],
  ] as const)('%s', (_name, code, value) => {
    const layout = structLayout([['x', code]] as const);
    expect(readStructField(layout, packStruct(layout, { x: value }), 'x')).toBe(value);
  });
});
