import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childEnv, createHarness, eventually, type Harness } from '../test/harness.js';
import { startRiskstream, type RiskstreamProcess } from '../test/process.js';
import { bannerOf, bannerTarget, demoApiKey, demoApiKeyPath, recreatedUsersNotice, secretsPath, writeSecrets, type BannerFacts } from './banner.js';

const dir = mkdtempSync(join(tmpdir(), 'rs-banner-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const FACTS: BannerFacts = {
  apiKey: 'rsk_generatedKEY0123456789abcd',
  generated: true,
  simulatorRate: 50,
  customers: 5000,
  dashboard: true,
  ingest: true,
  demoUsers: [{ username: 'admin', password: 'pw-Admin-123456', roles: ['admin'] }, { username: 'monitor', password: 'pw-Monitor-654321', roles: ['risk_monitor'] }],
  earlierDemoUsers: [],
  noDashboardUsers: false,
  dataDir: dir,
  namespace: 'demo_ns',
};
const ADDRESS = 'http://127.0.0.1:8080';

describe('banner - secrets reach a terminal, never a log', () => {
  it('to a terminal: the passwords and the generated key, once', () => {
    const banner = bannerOf(ADDRESS, FACTS, true);
    expect(banner.secrets).toBeNull();
    expect(banner.text).toContain('pw-Admin-123456');
    expect(banner.text).toContain('pw-Monitor-654321');
    expect(banner.text).toContain('API key  rsk_generatedKEY0123456789abcd');
    expect(banner.text).toContain('-H "x-api-key: rsk_generatedKEY0123456789abcd"');
  });

  it('to anything else: no secret in the output; the files named, the curl line reads the key from its file', () => {
    const banner = bannerOf(ADDRESS, FACTS, false);
    const path = secretsPath(dir);
    expect(banner.text).not.toMatch(/pw-Admin|pw-Monitor|rsk_generated/);
    expect(banner.text).toContain(`demo users admin, monitor: their passwords are in ${path}`);
    expect(banner.text).toContain(`API key  in ${demoApiKeyPath(dir)} (generated for this data folder, the same at every start`);
    expect(banner.text).toContain(`-H "x-api-key: $(cat '${demoApiKeyPath(dir)}')"`);
    expect(banner.secrets).toEqual({
      path,
      lines: [expect.stringMatching(/^# riskstream \S+ namespace demo_ns: the demo users this start created \(pid \d+\)/), 'user admin pw-Admin-123456 (admin)', 'user monitor pw-Monitor-654321 (risk_monitor)'],
    });
  });

  it('a restart: says the demo users exist and where their passwords are, and writes nothing', () => {
    for (const toTerminal of [true, false]) {
      const banner = bannerOf(ADDRESS, { ...FACTS, demoUsers: [], earlierDemoUsers: ['admin', 'monitor'] }, toTerminal);
      expect(banner.secrets).toBeNull();
      expect(banner.text).toContain(`demo users admin, monitor exist from an earlier start: their passwords were shown then at a terminal, or are in ${secretsPath(dir)}`);
      expect(banner.text).toContain('`riskstream users passwd <name>` sets a new one');
    }
  });

  it('a key the operator chose is never printed nor written; the curl line names the variable', () => {
    const banner = bannerOf(ADDRESS, { ...FACTS, apiKey: 'operator-chosen-key-0123456789', generated: false, demoUsers: [] }, false);
    expect(banner.secrets).toBeNull();
    expect(banner.text).not.toContain('operator-chosen-key');
    expect(banner.text).toContain('Send an event (with RISKSTREAM_API_KEY exported in your shell):');
    expect(banner.text).toContain('-H "x-api-key: $RISKSTREAM_API_KEY"');
  });

  it('the file is the owner\'s alone, and a start adds to it: the passwords of an earlier start stay', () => {
    const path = secretsPath(dir);
    writeFileSync(path, 'user admin pw-Earlier-111111 (admin)\n');
    chmodSync(path, 0o644);
    writeSecrets(bannerOf(ADDRESS, FACTS, false).secrets!);
    expect((statSync(path).mode & 0o777).toString(8)).toBe('600');
    const notice = recreatedUsersNotice([{ username: 'monitor', password: 'pw-New-777777', roles: ['risk_monitor'] }], dir, 'demo_ns', false);
    expect(notice.text).not.toContain('pw-New');
    writeSecrets(notice.secrets!);
    // a restart that created no user writes nothing
    expect(bannerOf(ADDRESS, { ...FACTS, demoUsers: [], earlierDemoUsers: ['admin'] }, false).secrets).toBeNull();
    const text = readFileSync(path, 'utf8');
    expect(text).toMatch(/^user admin pw-Earlier-111111 \(admin\)\n# riskstream \S+ namespace demo_ns: [^\n]*\nuser admin pw-Admin-123456 \(admin\)\nuser monitor pw-Monitor-654321[\s\S]*namespace demo_ns: the demo users created again\nuser monitor pw-New-777777 \(risk_monitor\)\n$/);
  });
});

describe('banner - which stream, and whether it is a terminal', () => {
  const write = () => true;
  const terminal = { isTTY: true, write };
  const file = { isTTY: false, write };
  const pipe = { write }; // a pipe's stream has no isTTY at all
  const target = (...args: Parameters<typeof bannerTarget>) => {
    const { out, toTerminal } = bannerTarget(...args);
    return [out === terminal ? 'terminal' : out === file ? 'file' : 'pipe', toTerminal];
  };

  it('pretty logs: stdout, with the secrets when stdout is a terminal', () => {
    expect(target('pretty', terminal, file)).toEqual(['terminal', true]);
    expect(target('pretty', pipe, terminal)).toEqual(['pipe', false]);
  });

  it('JSON logs: stderr, with the secrets only when stderr itself is a terminal (stdout a terminal, stderr a file: none)', () => {
    expect(target('json', terminal, file)).toEqual(['file', false]);
    expect(target('json', pipe, terminal)).toEqual(['terminal', true]);
    expect(target('json', terminal, pipe)).toEqual(['pipe', false]);
  });
});

describe('banner - the demo API key of a data folder', () => {
  it('is made once, owner-only, and the same at every start and for every process sharing the folder', () => {
    const folder = join(dir, 'keyed');
    const first = demoApiKey(folder);
    expect(first).toMatch(/^rsk_[A-Za-z0-9_-]{24}$/);
    expect((statSync(demoApiKeyPath(folder)).mode & 0o777).toString(8)).toBe('600');
    expect(demoApiKey(folder)).toBe(first);
    expect(demoApiKey(folder)).toBe(first);
    // no file left aside
    expect(readdirSync(folder)).toEqual(['demo-api-key']);
  });

  it('refuses a file that holds no key, saying what to do', () => {
    const folder = join(dir, 'damaged');
    mkdirSync(folder, { mode: 0o700 });
    writeFileSync(demoApiKeyPath(folder), 'short\n', { mode: 0o600 });
    expect(() => demoApiKey(folder)).toThrow(/demo-api-key does not hold an API key .*: delete it to have a new one generated, or set RISKSTREAM_API_KEY/);
  });
});

describe('banner - restarts of the built CLI in demo mode, output not a terminal', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(async () => h?.cleanup());

  async function started(env: Record<string, string>, args: string[]): Promise<RiskstreamProcess> {
    const running = await startRiskstream(env, args);
    await eventually(() => (running.output().includes('riskstream is running') ? true : undefined), 20_000, 'the banner');
    return running;
  }

  function send(baseUrl: string, key: string): Promise<number> {
    const event = { v: 1, kind: 'payment', ts: new Date().toISOString(), type: 'transfer', channel: 'mobile', amount: '12.00', currency: 'USD', debtor: { accountId: 'ACC-1' }, creditor: { accountId: 'ACC-2', country: 'GB' } };
    return fetch(`${baseUrl}/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': key }, body: JSON.stringify(event) }).then((r) => r.status);
  }

  it('keeps the passwords and the key: a restart and a second process find them where they were', async () => {
    // demo mode: RISKSTREAM_API_KEY unset
    const { RISKSTREAM_API_KEY: _configured, ...env } = childEnv(h);
    const first = await started(env, ['start', '--roles', 'ingest,api']);
    const credentials = readFileSync(secretsPath(h.dataDir), 'utf8');
    const key = readFileSync(demoApiKeyPath(h.dataDir), 'utf8').trim();
    expect(credentials).toMatch(/^user admin \S+ \(admin\)$/m);
    // a second process on the same folder (ingest alone) takes the same key: the first still accepts it
    const second = await started(env, ['start', '--roles', 'ingest']);
    try {
      expect(readFileSync(demoApiKeyPath(h.dataDir), 'utf8').trim()).toBe(key);
      expect(await send(first.baseUrl, key)).toBe(202);
      expect(await send(second.baseUrl, key)).toBe(202);
    } finally {
      expect(await second.stop()).toBe(0);
      expect(await first.stop()).toBe(0);
    }
    const again = await started(env, ['start', '--roles', 'ingest,api']);
    try {
      expect(again.output()).toContain(`demo users admin, monitor, compliance, supervisor, credit, auditor exist from an earlier start: their passwords were shown then at a terminal, or are in ${secretsPath(h.dataDir)}`);
      expect(readFileSync(secretsPath(h.dataDir), 'utf8')).toBe(credentials);
      expect((statSync(secretsPath(h.dataDir)).mode & 0o777).toString(8)).toBe('600');
      expect(readFileSync(demoApiKeyPath(h.dataDir), 'utf8').trim()).toBe(key);
      expect(await send(again.baseUrl, key)).toBe(202);
    } finally {
      expect(await again.stop()).toBe(0);
    }
  }, 120_000);
});
