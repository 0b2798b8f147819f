// Fields named twice in one JSON object: found wherever they are, named by their JSON pointer, and
// ordinary input (no repeated key, colons inside strings) passes.
import { describe, expect, it } from 'vitest';
import { duplicateKeyErrors } from './duplicate-keys.js';

const check = (text: string) => duplicateKeyErrors(text, JSON.parse(text));

describe('duplicate keys', () => {
  it.each([
    '{"a":1,"b":{"c":2},"d":[{"e":1},{"e":2}]}',
    '{"note":"a: b","url":"https://x.example/a:b","quoted":"say \\": here"}',
    '{ "a" : 1 ,\n\t"b"\r\n:\t2 }',
    '[{"a":1},{"a":1}]',
    '{}',
    '"just a string: with a colon"',
    '{"__proto__":{"x":1}}',
  ])('passes %s', (text) => {
    expect(check(text)).toEqual([]);
  });

  it('names a top-level field sent twice, once however often it repeats', () => {
    expect(check('{"amount":"99999.00","currency":"USD","amount":"10.00","amount":"1.00"}')).toEqual([
      { path: '/amount', rule: 'duplicate_key', message: 'amount appears more than once in its object; send each field once' },
    ]);
  });

  it('names nested fields by their pointer, escaped, in arrays too', () => {
    expect(check('{"debtor":{"accountId":"A","accountId":"B"},"x":[{"a/b~":1,"a/b~":2}]}').map((e) => e.path)).toEqual(['/debtor/accountId', '/x/0/a~1b~0']);
  });

  it('finds a repeat even where a string holds an escaped quote and a colon (the quick count is only a filter)', () => {
    expect(check('{"note":"say \\": here","a":1,"a":2}').map((e) => e.path)).toEqual(['/a']);
  });

  it('tells keys apart by their decoded text ("\\u0061" is a)', () => {
    expect(check('{"a":1,"\\u0061":2}').map((e) => e.path)).toEqual(['/a']);
  });
});
