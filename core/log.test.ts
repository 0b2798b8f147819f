import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { hostAndPort, natsHowToStart } from './bus.js';
import { createLogger, safeUrl, withoutSecretsOf } from './log.js';

describe('log - secrets never reach the log', () => {
  it.each([
    ['nats://user:s3cret@127.0.0.1:4222', 'nats://user:***@127.0.0.1:4222'],
    ['redis://:s3cret@127.0.0.1:6379', 'redis://:***@127.0.0.1:6379'],
    ['http://default:s3cret@ch.example:8123/', 'http://default:***@ch.example:8123'],
    ['nats://127.0.0.1:4222', 'nats://127.0.0.1:4222'],
    // a token is a user without a password
    ['nats://s3cretTOKEN@127.0.0.1:4222', 'nats://***@127.0.0.1:4222'],
    ['redis://s3cret@127.0.0.1:6379', 'redis://***@127.0.0.1:6379'],
    // credentials as query parameters, which clients accept too
    ['redis://127.0.0.1:6396/?password=s3cret', 'redis://127.0.0.1:6396/?password=***'],
    ['redis://127.0.0.1:6396/2?db=2&password=s3cret&family=4', 'redis://127.0.0.1:6396/2?db=2&password=***&family=4'],
    ['nats://127.0.0.1:4222?token=s3cret', 'nats://127.0.0.1:4222?token=***'],
    ['http://ch.example:8123/?user=default&X-ClickHouse-Key=s3cret', 'http://ch.example:8123/?user=default&X-ClickHouse-Key=***'],
    ['not a url ?password=s3cret&x=1', 'not a url ?password=***&x=1'],
    // no scheme (ioredis takes it), a port that does not parse, a list of servers
    [':s3cret@127.0.0.1:6392', '***@127.0.0.1:6392'],
    ['rsuser:s3cr%3At%40x@127.0.0.1:4242', '***@127.0.0.1:4242'],
    ['nats://u:p@10.0.0.1:4222,rsuser:s3cret@10.0.0.2:4222', 'nats://u:***@10.0.0.1:4222,***@10.0.0.2:4222'],
    ['redis://:pa,s3cret@127.0.0.1:6379', 'redis://:***@127.0.0.1:6379'],
    ['redis://:s3cret@127.0.0.1:notaport', 'redis://***@127.0.0.1:notaport'],
    ['nats://u:s3cret@10.0.0.1:4222,nats://u:s3cret@10.0.0.2:4222', 'nats://u:***@10.0.0.1:4222,nats://u:***@10.0.0.2:4222'],
    // an unencoded / ? # in the credentials (base64 passwords): the clients read up to the last @
    ['nats://u:LIVE/s3cret@127.0.0.1:4222', 'nats://u:***@127.0.0.1:4222'],
    ['nats://LIVE/s3cretTOKEN@127.0.0.1:4222', 'nats://***@127.0.0.1:4222'],
    ['redis://u:s3c/ret?x#y@127.0.0.1:6379/0', 'redis://u:***@127.0.0.1:6379/0'],
    ['nats://127.0.0.1:1,u:NLIST/s3cret@127.0.0.1:2', 'nats://127.0.0.1:1,***@127.0.0.1:2'],
    ['u:s3c/ret@127.0.0.1:6379', '***@127.0.0.1:6379'],
  ])('masks the password (or the token) in %s', (url, expected) => {
    expect(safeUrl(url)).toBe(expected);
    expect(safeUrl(url)).not.toContain('s3cret');
  });

  it.each([
    ['redis+sentinel://u:s3cret12@127.0.0.1:1', 'connect ENOENT //u:s3cret12@127.0.0.1:1', 'connect ENOENT //***@127.0.0.1:1'],
    ['redis://u:s3c%2Fret@127.0.0.1:1', 'bad password s3c/ret and s3c%2Fret', 'bad password *** and ***'],
    ['nats://TOK/s3cret@127.0.0.1:1', 'cannot reach TOK/s3cret@127.0.0.1', 'cannot reach ***@127.0.0.1'],
    ['redis://127.0.0.1:1/?password=s3cret', 'AUTH s3cret failed', 'AUTH *** failed'],
    ['redis://127.0.0.1:1', 'connect ECONNREFUSED 127.0.0.1:1', 'connect ECONNREFUSED 127.0.0.1:1'],
  ])("masks the secrets of %s in what a client library says about it", (url, text, expected) => {
    expect(withoutSecretsOf(url, text)).toBe(expected);
  });

  it('never takes a part of the credentials for the host in the hint on how to start a server', () => {
    expect(hostAndPort('nats://NTOK/s3cret@127.0.0.1:1', 4222)).toEqual({ host: '127.0.0.1', port: 1 });
    expect(natsHowToStart('nats://u:LIVE/s3cret@10.0.0.5:4300')).toContain('-a 10.0.0.5 -p 4300');
    expect(natsHowToStart('nats://NTOK/s3cret@127.0.0.1:1')).not.toMatch(/NTOK|s3cret/);
  });

  it.each([['json'], ['pretty']] as const)('redacts API keys and passwords in logged objects (%s lines)', (format) => {
    let output = '';
    const sink = new Writable({
      write(chunk, _encoding, done) {
        output += chunk.toString();
        done();
      },
    });
    const logger = createLogger('info', 'test', sink, format);
    logger.info({ apiKey: 'key-123', user: { password: 'pw-456' }, headers: { 'x-api-key': 'key-789' } }, 'hello');
    logger.flush();
    expect(output).toContain('hello');
    expect(output).not.toMatch(/key-123|pw-456|key-789/);
    expect(output).toContain('[redacted]');
    if (format === 'pretty') expect(output).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] .*INFO.*: .*hello/);
    else expect(JSON.parse(output.trim())).toMatchObject({ level: 30, msg: 'hello' });
  });
});
