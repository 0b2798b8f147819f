import { describe, expect, it } from 'vitest';
import { LIVE_PROTOCOL_VERSION } from '../protocol.js';
import { OLDEST_SERVED_PROTOCOL, protocolServed, statedProtocol, wantsWholeTicks } from './protocol-version.js';

describe('protocol version', () => {
  it.each([
    ['none stated: a bundle from before versions', undefined, 1],
    ['a version', '2', 2],
    ['a larger version', '17', 17],
    ['not a number', 'two', null],
    ['a leading zero', '02', null],
    ['zero', '0', null],
    ['a negative number', '-1', null],
    ['a fraction', '2.0', null],
    ['stated twice', ['2', '2'], null],
    ['empty', '', null],
    ['too long to be a version', '9'.repeat(400), null],
  ])('statedProtocol - %s', (_name, value, expected) => {
    expect(statedProtocol(value)).toBe(expected);
  });

  it('protocolServed - from the oldest served to the version this code speaks, nothing newer', () => {
    expect(OLDEST_SERVED_PROTOCOL).toBe(1);
    expect(protocolServed(1)).toBe(true);
    expect(protocolServed(LIVE_PROTOCOL_VERSION)).toBe(true);
    expect(protocolServed(LIVE_PROTOCOL_VERSION + 1)).toBe(false);
    expect(protocolServed(0)).toBe(false);
    expect(protocolServed(null)).toBe(false);
  });

  it('wantsWholeTicks - a protocol 1 tab without since reads ticks only; with since it is the bundle that read the trail', () => {
    expect(wantsWholeTicks(1, undefined)).toBe(true);
    expect(wantsWholeTicks(1, 1_800_000_000_000)).toBe(false);
    expect(wantsWholeTicks(2, undefined)).toBe(false);
    expect(wantsWholeTicks(2, 1_800_000_000_000)).toBe(false);
  });
});
