import { describe, expect, it } from 'vitest';
import { parseClientMessage } from './client-message.js';

describe('client message - accepted', () => {
  it.each([
    ['{"type":"ping"}', { type: 'ping' }],
    ['{"type":"ping","id":"7"}', { type: 'ping', id: '7' }],
    ['{"type":"subscribe","topic":"kpi"}', { type: 'subscribe', topic: 'kpi' }],
    ['{"type":"subscribe","topic":"kpi","since":1800000000000}', { type: 'subscribe', topic: 'kpi', since: 1800000000000 }],
    ['{"type":"subscribe","topic":"health"}', { type: 'subscribe', topic: 'health' }],
    ['{"type":"subscribe","topic":"alerts"}', { type: 'subscribe', topic: 'alerts', filter: {} }],
    [
      '{"type":"subscribe","topic":"alerts","filter":{"domain":"aml","severity":"high","typology":"structuring","segment":"vip"}}',
      { type: 'subscribe', topic: 'alerts', filter: { domain: 'aml', severity: 'high', typology: 'structuring', segment: 'vip' } },
    ],
    ['{"type":"subscribe","topic":"account","accountId":"ACC-1"}', { type: 'subscribe', topic: 'account', accountId: 'ACC-1' }],
    ['{"type":"unsubscribe","topic":"alerts"}', { type: 'unsubscribe', topic: 'alerts' }],
    ['{"type":"unsubscribe","topic":"account","accountId":"ACC-1"}', { type: 'unsubscribe', topic: 'account', accountId: 'ACC-1' }],
    // what the event contract takes: an IBAN in print format, any script
    ['{"type":"subscribe","topic":"account","accountId":"DE89 3704 0044 0532 0130 00"}', { type: 'subscribe', topic: 'account', accountId: 'DE89 3704 0044 0532 0130 00' }],
    ['{"type":"subscribe","topic":"account","accountId":"KONTO-Müller-1"}', { type: 'subscribe', topic: 'account', accountId: 'KONTO-Müller-1' }],
    // a whole pair, escaped, is one character outside the basic plane
    ['{"type":"subscribe","topic":"account","accountId":"ACC-\\ud83d\\ude00"}', { type: 'subscribe', topic: 'account', accountId: 'ACC-\u{1f600}' }],
    [JSON.stringify({ type: 'subscribe', topic: 'account', accountId: '账户'.repeat(64) }), { type: 'subscribe', topic: 'account', accountId: '账户'.repeat(64) }],
  ])('%s', (text, message) => {
    expect(parseClientMessage(text)).toEqual({ ok: true, message });
  });
});

describe('client message - refused with a reason', () => {
  it.each([
    ['not JSON', '{type:', /not valid JSON/],
    ['an array', '[]', /JSON object/],
    ['an unknown type', '{"type":"publish"}', /type must be/],
    ['no type', '{"topic":"kpi"}', /type must be/],
    ['an unknown topic', '{"type":"subscribe","topic":"payments"}', /topic must be one of/],
    ['an unknown filter key', '{"type":"subscribe","topic":"alerts","filter":{"amount":1}}', /filter.amount/],
    ['a bad domain', '{"type":"subscribe","topic":"alerts","filter":{"domain":"tax"}}', /filter.domain/],
    ['a bad severity', '{"type":"subscribe","topic":"alerts","filter":{"severity":"urgent"}}', /filter.severity/],
    ['a bad segment', '{"type":"subscribe","topic":"alerts","filter":{"segment":"gold"}}', /filter.segment/],
    ['a filter that is not an object', '{"type":"subscribe","topic":"alerts","filter":"aml"}', /filter must be an object/],
    ['an account without id', '{"type":"subscribe","topic":"account"}', /accountId/],
    ['an account id with a space at its end', '{"type":"subscribe","topic":"account","accountId":"A B "}', /accountId/],
    ['an account id with a control character', JSON.stringify({ type: 'subscribe', topic: 'account', accountId: 'A\u0007B' }), /accountId/],
    // JSON's \u escapes can spell half a surrogate pair: no stored decision carries such an id (UTF-8 cannot hold it)
    ['an account id with a lone high surrogate', '{"type":"subscribe","topic":"account","accountId":"ACC-\\ud83d"}', /accountId .*lone UTF-16 surrogate/],
    ['an account id with a lone low surrogate', '{"type":"subscribe","topic":"account","accountId":"\\ude00ACC"}', /accountId .*lone UTF-16 surrogate/],
    ['an unsubscribe of an account id with a lone surrogate', '{"type":"unsubscribe","topic":"account","accountId":"A\\ud800B"}', /accountId .*lone UTF-16 surrogate/],
    ['an overlong account id', JSON.stringify({ type: 'subscribe', topic: 'account', accountId: 'x'.repeat(129) }), /accountId/],
    ['an account id on another topic', '{"type":"unsubscribe","topic":"kpi","accountId":"A"}', /account topic only/],
    ['a kpi since that is not a time', '{"type":"subscribe","topic":"kpi","since":"now"}', /since/],
    ['a negative kpi since', '{"type":"subscribe","topic":"kpi","since":-1000}', /since/],
    ['a ping id that is not a string', '{"type":"ping","id":5}', /ping id/],
  ])('%s', (_name, text, reason) => {
    const result = parseClientMessage(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(reason);
  });
});
