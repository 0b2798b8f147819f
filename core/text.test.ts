import { describe, expect, it } from 'vitest';
import { countOf, isWellFormed, oneLine, wellFormed } from './text.js';

describe('oneLine', () => {
  it('puts a text on one line and cuts it with an ellipsis', () => {
    expect(oneLine('  a\n  b\tc ', 10)).toBe('a b c');
    // a file's bytes must not reach a terminal as escape sequences
    expect(oneLine('E\u001b[2J\u0007x\ufffdy', 20)).toBe('E?[2J?x?y');
    expect(oneLine('abcdefghij', 10)).toBe('abcdefghij');
    expect(oneLine('abcdefghijk', 10)).toBe('abcdefghi…');
  });
});

describe('wellFormed', () => {
  it.each([
    ['plain', 'plain'],
    ['a\ud83d\ude00b', 'a\ud83d\ude00b'],
    ['a\ud83db', 'a\ufffdb'],
    ['a\ude00b', 'a\ufffdb'],
    ['\ude00\ud83d', '\ufffd\ufffd'],
    ['\ud83d\ud83d\ude00', '\ufffd\ud83d\ude00'],
    ['end\ud83d', 'end\ufffd'],
  ])('wellFormed - %j becomes %j', (input, output) => {
    expect(wellFormed(input)).toBe(output);
  });
});

describe('isWellFormed', () => {
  it.each([
    ['plain', true],
    ['', true],
    ['a\ud83d\ude00b', true],
    ['账户', true],
    ['a\ud83db', false],
    ['a\ude00b', false],
    ['\ude00\ud83d', false],
    ['end\ud83d', false],
  ])('isWellFormed - %j is %s', (input, expected) => {
    // twice: a stateful (global) pattern would answer the second call differently
    expect(isWellFormed(input)).toBe(expected);
    expect(isWellFormed(input)).toBe(expected);
  });
});

describe('countOf', () => {
  it.each([
    [0, 'message', undefined, '0 messages'],
    [1, 'message', undefined, '1 message'],
    [2, 'key', undefined, '2 keys'],
    [12345, 'message', undefined, '12,345 messages'],
    [1, 'process', 'processes', '1 process'],
    [3, 'process', 'processes', '3 processes'],
  ])('%i %s', (n, singular, plural, expected) => {
    expect(countOf(n, singular, plural)).toBe(expected);
  });
});
