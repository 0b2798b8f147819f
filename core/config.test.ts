import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseRoles, ROLES } from './config.js';

describe('config - defaults', () => {
  it('runs the demo on one machine without any variable', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 8080,
      natsUrl: 'nats://127.0.0.1:4222',
      redisUrl: 'redis://127.0.0.1:6379',
      clickhouseUrl: undefined,
      namespace: 'rs',
      simulatorRate: 50,
      simulatorCustomers: undefined,
      apiKeyGenerated: true,
      fxRates: {},
      ingestEnvelope: 64,
      ingestLingerMs: 2,
    });
    expect(config.apiKey).toMatch(/^rsk_[A-Za-z0-9_-]{24}$/);
    expect(config.dataDir).toMatch(/\/data$/);
  });

  it('takes what the environment says', () => {
    const config = loadConfig({
      PORT: '9090',
      RISKSTREAM_NAMESPACE: 'tenant_a',
      RISKSTREAM_API_KEY: 'a-long-enough-api-key',
      RISKSTREAM_SIMULATOR_RATE: '0',
      RISKSTREAM_SIMULATOR_CUSTOMERS: '5000',
      CLICKHOUSE_URL: 'http://ch:8123',
      RISKSTREAM_FX_RATES: '{"EUR":1.1}',
      RISKSTREAM_INGEST_LINGER_MS: '0',
    });
    expect(config).toMatchObject({ port: 9090, namespace: 'tenant_a', apiKey: 'a-long-enough-api-key', apiKeyGenerated: false, simulatorRate: 0, simulatorCustomers: 5000, clickhouseUrl: 'http://ch:8123', fxRates: { EUR: 1.1 }, ingestLingerMs: 0 });
  });
});

describe('config - an empty value is unset', () => {
  it.each([['PORT', 'port', 8080], ['RISKSTREAM_SIMULATOR_RATE', 'simulatorRate', 50], ['RISKSTREAM_SIMULATOR_CUSTOMERS', 'simulatorCustomers', undefined], ['RISKSTREAM_NAMESPACE', 'namespace', 'rs'], ['HOST', 'host', '127.0.0.1'], ['RISKSTREAM_ADMIN_USER', 'adminUser', undefined]] as const)(
    '%s= gives the default',
    (variable, field, expected) => {
      expect(loadConfig({ [variable]: '' })[field]).toBe(expected);
    },
  );

  it('takes decimal digits with leading zeros as the number they write', () => {
    expect(loadConfig({ PORT: '08080' }).port).toBe(8080);
  });
});

describe('config - ingest keys', () => {
  it('accepts several keys, comma-separated, for a rotation; its own clients use the first', () => {
    const config = loadConfig({ RISKSTREAM_API_KEY: 'new-key-0000000000001, old-key-0000000000002' });
    expect(config.apiKeys).toEqual(['new-key-0000000000001', 'old-key-0000000000002']);
    expect(config.apiKey).toBe('new-key-0000000000001');
    expect(config.apiKeyGenerated).toBe(false);
  });

  it('generates one key in demo mode', () => {
    const config = loadConfig({});
    expect(config.apiKeys).toEqual([config.apiKey]);
    expect(config.apiKeyGenerated).toBe(true);
  });
});

describe('config - refusals name the variable', () => {
  const bad: Array<[Record<string, string>, RegExp]> = [
    [{ PORT: 'eighty' }, /PORT=eighty is not an integer/],
    [{ PORT: '70000' }, /PORT=70000/],
    // Number() would read these as 0 (a random port), 80, 1000, 80 and 8080
    [{ PORT: ' ' }, /^PORT is set to spaces only: give it a value, or unset it \(or leave it empty\) for the default$/],
    [{ PORT: '0x50' }, /^PORT=0x50 is not an integer between 0 and 65535 \(decimal digits only\)$/],
    [{ PORT: '1e3' }, /PORT=1e3 is not an integer/],
    [{ PORT: '+80' }, /PORT=\+80 is not an integer/],
    [{ PORT: '8080.0' }, /PORT=8080.0 is not an integer/],
    [{ PORT: ' 8080' }, /PORT= 8080 is not an integer/],
    [{ RISKSTREAM_SIMULATOR_RATE: ' ' }, /RISKSTREAM_SIMULATOR_RATE is set to spaces only/],
    [{ RISKSTREAM_SIMULATOR_RATE: '1.5' }, /RISKSTREAM_SIMULATOR_RATE=1.5 is not an integer/],
    [{ RISKSTREAM_SIMULATOR_CUSTOMERS: '\t' }, /RISKSTREAM_SIMULATOR_CUSTOMERS is set to spaces only/],
    [{ RISKSTREAM_SIMULATOR_SEED: '99999999999999999999' }, /RISKSTREAM_SIMULATOR_SEED=99999999999999999999 is not an integer/],
    [{ RISKSTREAM_DEMO_USERS: ' ' }, /RISKSTREAM_DEMO_USERS is set to spaces only/],
    [{ RISKSTREAM_NAMESPACE: '  ' }, /RISKSTREAM_NAMESPACE is set to spaces only/],
    [{ NATS_URL: ' ' }, /NATS_URL is set to spaces only/],
    // a deployment's secret that failed to template: not demo mode with an admin whose password is in a file
    [{ RISKSTREAM_API_KEY: '' }, /^RISKSTREAM_API_KEY is set but empty: give the ingest key \(at least 16 characters\), or unset it \(not set it to nothing\) for demo mode/],
    [{ RISKSTREAM_API_KEY: '  ' }, /^RISKSTREAM_API_KEY is set but blank/],
    [{ RISKSTREAM_NAMESPACE: 'Has-Dash' }, /RISKSTREAM_NAMESPACE=Has-Dash/],
    [{ RISKSTREAM_API_KEY: 'short' }, /RISKSTREAM_API_KEY must be at least 16/],
    [{ RISKSTREAM_API_KEY: `${'k'.repeat(16)},short` }, /key 2 of RISKSTREAM_API_KEY must be at least 16/],
    [{ RISKSTREAM_API_KEY: `${'k'.repeat(16)},,${'j'.repeat(16)}` }, /key 2 of RISKSTREAM_API_KEY is empty/],
    [{ RISKSTREAM_API_KEY: `${'k'.repeat(16)},${'k'.repeat(16)}` }, /RISKSTREAM_API_KEY lists the same key twice/],
    [{ RISKSTREAM_SIMULATOR_RATE: '-1' }, /RISKSTREAM_SIMULATOR_RATE/],
    [{ RISKSTREAM_INGEST_LINGER_MS: '500' }, /RISKSTREAM_INGEST_LINGER_MS=500/],
    [{ RISKSTREAM_SIMULATOR_CUSTOMERS: '99' }, /RISKSTREAM_SIMULATOR_CUSTOMERS=99 is not an integer between 100 and 5000000/],
    [{ RISKSTREAM_FX_RATES: 'not json' }, /RISKSTREAM_FX_RATES must be JSON/],
    [{ RISKSTREAM_FX_RATES: '{"eur":1}' }, /"eur" must be an ISO 4217 code in capitals \("EUR"\)/],
    [{ RISKSTREAM_FX_RATES: '{"XYZ":1}' }, /XYZ is not an ISO 4217 currency in use/],
    [{ RISKSTREAM_FX_RATES: '{"EUR":-1}' }, /the rate of EUR must be a positive number of USD per unit \(such as 1.08\), not -1/],
    [{ LOG_FORMAT: 'xml' }, /LOG_FORMAT=xml is not a format; formats are: json, pretty/],
    [{ LOG_LEVEL: 'verbose' }, /LOG_LEVEL=verbose is not a level; levels are: fatal, error, warn, info, debug, trace, silent/],
    [{ CLICKHOUSE_URL: 'not a url' }, /CLICKHOUSE_URL is not an http\(s\) address/],
    [{ CLICKHOUSE_URL: 'clickhouse://s3cret@ch:9000' }, /^CLICKHOUSE_URL is not an http\(s\) address such as http:\/\/default:password@clickhouse:8123 \(unset it to use embedded chDB\)$/],
  ];
  it.each(bad)('refuses %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
});

describe('config - roles', () => {
  it('defaults to every role and accepts a list', () => {
    expect([...parseRoles(undefined)]).toEqual([...ROLES]);
    expect([...parseRoles('ingest, processors')]).toEqual(['ingest', 'processors']);
  });
  it.each([['ingest,dashboard'], [','], [''], ['  ']])('refuses %j (an unset variable in --roles "$ROLES" must not start every role)', (list) => {
    expect(() => parseRoles(list)).toThrow(ConfigError);
  });
});

describe('config - dashboard users', () => {
  it('seeds demo users in demo mode only, unless told otherwise', () => {
    expect(loadConfig({}).demoUsers).toBe(true);
    expect(loadConfig({ RISKSTREAM_API_KEY: 'k'.repeat(16) }).demoUsers).toBe(false);
    expect(loadConfig({ RISKSTREAM_API_KEY: 'k'.repeat(16), RISKSTREAM_DEMO_USERS: '1' }).demoUsers).toBe(true);
    expect(loadConfig({ RISKSTREAM_DEMO_USERS: '0' }).demoUsers).toBe(false);
    expect(() => loadConfig({ RISKSTREAM_DEMO_USERS: 'yes' })).toThrow(/RISKSTREAM_DEMO_USERS=yes must be 1 or 0/);
  });

  it('reads the first admin and the cookie policy', () => {
    const config = loadConfig({ RISKSTREAM_ADMIN_USER: 'root', RISKSTREAM_ADMIN_PASSWORD: 'a long password!', RISKSTREAM_SECURE_COOKIES: '1' });
    expect(config).toMatchObject({ adminUser: 'root', adminPassword: 'a long password!', secureCookies: true });
    expect(loadConfig({}).secureCookies).toBe('auto');
  });

  it('caps the WebSockets of one user at 20 unless told otherwise, within the hub’s 5,000', () => {
    expect(loadConfig({}).wsMaxPerUser).toBe(20);
    expect(loadConfig({ RISKSTREAM_WS_MAX_PER_USER: '200' }).wsMaxPerUser).toBe(200);
    expect(() => loadConfig({ RISKSTREAM_WS_MAX_PER_USER: '0' })).toThrow(/RISKSTREAM_WS_MAX_PER_USER/);
    expect(() => loadConfig({ RISKSTREAM_WS_MAX_PER_USER: '5001' })).toThrow(/RISKSTREAM_WS_MAX_PER_USER/);
  });
});

describe('config - thread switches', () => {
  const cases = [
    [undefined, 'auto'],
    ['', 'auto'],
    ['auto', 'auto'],
    ['1', true],
    ['0', false],
  ] as const;
  it.each([
    ...cases.map(([value, expected]) => ['RISKSTREAM_WRITER_THREAD', value, expected, 'writerThread'] as const),
    ...cases.map(([value, expected]) => ['RISKSTREAM_PROCESSORS_THREAD', value, expected, 'processorsThread'] as const),
    ...cases.map(([value, expected]) => ['RISKSTREAM_SECURE_COOKIES', value, expected, 'secureCookies'] as const),
  ])('%s=%s gives %s', (variable, value, expected, field) => {
    expect(loadConfig(value === undefined ? {} : { [variable]: value })[field]).toBe(expected);
  });

  it('names every value it takes when refusing one', () => {
    expect(() => loadConfig({ RISKSTREAM_WRITER_THREAD: 'yes' })).toThrow('RISKSTREAM_WRITER_THREAD=yes must be auto (the default, also when unset), 1 or 0 (true or false)');
  });
});
