// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { LIVE_PROTOCOL_VERSION } from '../../../server/protocol.js';
import { pageBuild, urlWithProtocol, versionVerdict } from './version-check.js';

describe('version check', () => {
  const tab = { protocol: 2, build: 'aaaa1111' };

  it.each([
    ['the same protocol and build', { protocol: 2, build: 'aaaa1111' }, 'same'],
    ['a server with no web app', { protocol: 2, build: null }, 'same'],
    ['another build of the same protocol', { protocol: 2, build: 'bbbb2222' }, 'new-build'],
    ['a newer protocol', { protocol: 3, build: 'bbbb2222' }, 'other-protocol'],
    ['an older protocol', { protocol: 1, build: 'aaaa1111' }, 'other-protocol'],
    ['a server from before versions (protocol 1, no build)', {}, 'other-protocol'],
    ['a protocol that is not a number', { protocol: '2', build: 'aaaa1111' }, 'other-protocol'],
  ] as const)('versionVerdict - %s', (_name, hello, verdict) => {
    expect(versionVerdict(tab, hello)).toBe(verdict);
  });

  it('versionVerdict - a page with no build id (the development server) compares protocols only', () => {
    expect(versionVerdict({ protocol: 2, build: null }, { protocol: 2, build: 'bbbb2222' })).toBe('same');
    expect(versionVerdict({ protocol: 1, build: null }, {})).toBe('same');
  });

  it('urlWithProtocol - states the version as a query parameter', () => {
    expect(urlWithProtocol('wss://risk.example/ws', LIVE_PROTOCOL_VERSION)).toBe(`wss://risk.example/ws?protocol=${LIVE_PROTOCOL_VERSION}`);
    expect(urlWithProtocol('ws://h/ws?x=1', 2)).toBe('ws://h/ws?x=1&protocol=2');
  });

  it('pageBuild - reads the id the build wrote into the page', () => {
    const page = (html: string) => new DOMParser().parseFromString(html, 'text/html');
    expect(pageBuild(page('<head><meta name="riskstream-build" content="0123abcd4567ef89"></head>'))).toBe('0123abcd4567ef89');
    expect(pageBuild(page('<head></head>'))).toBeNull();
  });
});
