import { describe, expect, it } from 'vitest';
import { originAllowed } from './hub-plugin.js';

describe('hub plugin - origin check', () => {
  it.each([
    ['no Origin (not a browser page)', { host: 'risk.example:8080' }, [], true],
    ['same host and port', { host: 'risk.example:8080', origin: 'https://risk.example:8080' }, [], true],
    ['host case differs', { host: 'Risk.Example', origin: 'https://risk.example' }, [], true],
    ['another site', { host: 'risk.example', origin: 'https://evil.example' }, [], false],
    ['same host, other port', { host: 'risk.example:8080', origin: 'http://risk.example:5173' }, [], false],
    ['other port, allowed explicitly', { host: 'risk.example:8080', origin: 'http://risk.example:5173' }, ['http://risk.example:5173'], true],
    ['an opaque origin', { host: 'risk.example', origin: 'null' }, [], false],
    ['a file origin', { host: 'risk.example', origin: 'file://risk.example' }, [], false],
    ['no Host', { origin: 'https://risk.example' }, [], false],
  ])('%s → %s', (_name, headers, allowed, ok) => {
    expect(originAllowed(headers, allowed)).toBe(ok);
  });
});
