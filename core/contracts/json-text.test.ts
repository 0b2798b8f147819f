// Lone UTF-16 surrogates in JSON text: refused with their path (they would turn into U+FFFD on the
// way to UTF-8 and merge different ids); surrogate pairs and ordinary text pass.
import { describe, expect, it } from 'vitest';
import { jsonTextErrors, jsonTextErrorsByItem } from './json-text.js';

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

  it('refuses text nested deeper than any event without walking it recursively (300,000 levels overflowed the stack)', () => {
    const deep = `{"v":1,"x":${'['.repeat(300_000)}${']'.repeat(300_000)}}`;
    expect(check(deep)).toEqual([{ path: '', rule: 'depth', message: 'the JSON nests 300001 levels deep; an event nests at most 32' }]);
  });

  it('checks a batch event by event: only the event at fault is named, with paths inside it', () => {
    const events = ['{"a":1,"b":"x, ] } [ {"}', '{"a":1,"note":"say \\": ok","a":2}', ' 7 ', '{"s":"\\ud800","t":["[",{"u":1}]}'];
    const text = `[ ${events.join(' ,\n ')} ]`;
    const found = jsonTextErrorsByItem(text, JSON.parse(text) as unknown[]);
    expect([...found.entries()].map(([i, errors]) => [i, errors.map((e) => `${e.path} ${e.rule}`)])).toEqual([
      [1, ['/a duplicate_key']],
      [3, ['/s unicode']],
    ]);
    expect(jsonTextErrorsByItem('[{"a":1},{"a":2}]', [{ a: 1 }, { a: 2 }]).size).toBe(0);
  });
});
