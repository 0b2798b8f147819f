// Lone UTF-16 surrogates in JSON text: refused with their path (they would turn into U+FFFD on the
// way to UTF-8 and merge different ids); surrogate pairs and ordinary text pass.
import { describe, expect, it } from 'vitest';
import { jsonTextErrors } from './json-text.js';

const check = (text: string) => jsonTextErrors(text, JSON.parse(text));

describe('json text', () => {
  it.each(['{"name":"Zoë 😀"}', '{"name":"\\ud83d\\ude00"}', '{"a":"\\u00e9"}', '[]'])('passes %s', (text) => {
    expect(check(text)).toEqual([]);
  });

  it('names a value with a lone high or low surrogate, and a key with one', () => {
    const errors = check('{"debtor":{"accountId":"A\\ud800B"},"x":["\\udc00"],"\\ud800":1}');
    expect(errors.map((e) => [e.path, e.rule])).toEqual([
      ['/debtor/accountId', 'unicode'],
      ['/x/0', 'unicode'],
      ['/\ud800', 'unicode'],
    ]);
  });

  it('gives a repeated field and a lone surrogate together', () => {
    expect(check('{"a":"\\ud800","a":"x"}').map((e) => e.rule)).toEqual(['duplicate_key']);
    expect(check('{"a":1,"a":2,"b":"\\udfff"}').map((e) => [e.path, e.rule])).toEqual([['/a', 'duplicate_key'], ['/b', 'unicode']]);
  });
});
