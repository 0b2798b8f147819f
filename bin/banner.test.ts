import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bannerOf, recreatedUsersNotice, secretsPath, writeSecrets, type BannerFacts } from './banner.js';

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
  noDashboardUsers: false,
  dataDir: dir,
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

  it('to anything else: no secret in the output; the file named, the curl line reads the key from it', () => {
    const banner = bannerOf(ADDRESS, FACTS, false);
    const path = secretsPath(dir);
    expect(banner.text).not.toMatch(/pw-Admin|pw-Monitor|rsk_generated/);
    expect(banner.text).toContain(`demo users admin, monitor: their passwords are in ${path}`);
    expect(banner.text).toContain(`API key  in ${path}`);
    expect(banner.text).toContain(`-H "x-api-key: $(sed -n 's/^api key: //p' '${path}')"`);
    expect(banner.secrets).toEqual({
      path,
      lines: [expect.stringMatching(/^# riskstream /), 'api key: rsk_generatedKEY0123456789abcd', 'user admin pw-Admin-123456 (admin)', 'user monitor pw-Monitor-654321 (risk_monitor)'],
    });
  });

  it('a key the operator chose is never printed nor written; the curl line names the variable', () => {
    const banner = bannerOf(ADDRESS, { ...FACTS, apiKey: 'operator-chosen-key-0123456789', generated: false, demoUsers: [] }, false);
    expect(banner.secrets).toBeNull();
    expect(banner.text).not.toContain('operator-chosen-key');
    expect(banner.text).toContain('Send an event (with RISKSTREAM_API_KEY exported in your shell):');
    expect(banner.text).toContain('-H "x-api-key: $RISKSTREAM_API_KEY"');
  });

  it('the file is the owner\'s alone, replaced at each start, added to by a later notice', () => {
    const path = secretsPath(dir);
    writeFileSync(path, 'old start\n');
    chmodSync(path, 0o644);
    writeSecrets(bannerOf(ADDRESS, FACTS, false).secrets!, false);
    expect((statSync(path).mode & 0o777).toString(8)).toBe('600');
    const notice = recreatedUsersNotice([{ username: 'monitor', password: 'pw-New-777777', roles: ['risk_monitor'] }], dir, false);
    expect(notice.text).not.toContain('pw-New');
    writeSecrets(notice.secrets!, true);
    const text = readFileSync(path, 'utf8');
    expect(text).not.toContain('old start');
    expect(text).toMatch(/user monitor pw-Monitor-654321[\s\S]*the demo users created again\nuser monitor pw-New-777777 \(risk_monitor\)\n$/);
  });
});
