// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import type { LoginAnswer } from '../../../server/protocol.js';
import { ApiError } from '../api/http.js';
import { FakeApi, settle } from '../test-support/fakes.js';
import './rs-login.js';
import type { RsLogin } from './rs-login.js';
import { svgDataUrl } from './svg-image.js';

const ANSWER: LoginAnswer = { user: { username: 'ana', displayName: 'Ana', roles: ['risk_monitor'], totpEnabled: true, locale: 'en' }, csrfToken: 't' };

async function submit(login: RsLogin, fields: Record<string, string>): Promise<void> {
  const root = login.shadowRoot!;
  for (const [name, value] of Object.entries(fields)) root.querySelector<HTMLInputElement>(`[data-testid="login-${name}"]`)!.value = value;
  root.querySelector<HTMLFormElement>('[data-testid="login-form"]')!.dispatchEvent(new Event('submit', { cancelable: true }));
  await settle(login);
}

describe('sign-in', () => {
  afterEach(() => {
    document.body.innerHTML = '';
  });

  it('sign-in - asks for the authenticator code when the server requires it, then signs in', async () => {
    const bodies: unknown[] = [];
    const api = new FakeApi().on('POST', '/api/auth/login', (_, body) => {
      bodies.push(body);
      return (body as { totp?: string }).totp === undefined ? new ApiError(401, 'RS_ERR_TOTP_REQUIRED', 'code needed', false) : ANSWER;
    });
    const login = document.createElement('rs-login');
    login.api = api;
    document.body.append(login);
    await settle(login);
    expect(login.shadowRoot!.querySelector('[data-testid="login-totp"]')).toBeNull();

    await submit(login, { username: 'ana', password: 'pw' });
    expect(login.shadowRoot!.querySelector('[data-testid="login-error"]')!.getAttribute('data-kind')).toBe('totp-required');
    expect(login.shadowRoot!.querySelector('[data-testid="login-totp"]')).not.toBeNull();

    let signedIn: LoginAnswer | null = null;
    login.addEventListener('rs-signed-in', (e) => (signedIn = (e as CustomEvent<LoginAnswer>).detail));
    await submit(login, { username: 'ana', password: 'pw', totp: '123456' });
    expect(bodies).toEqual([
      { username: 'ana', password: 'pw' },
      { username: 'ana', password: 'pw', totp: '123456' },
    ]);
    expect(signedIn).toEqual(ANSWER);
  });

  it('sign-in - says when the account is locked and until when', async () => {
    const api = new FakeApi().on('POST', '/api/auth/login', () => {
      const error = new ApiError(429, 'RS_ERR_LOGIN_LOCKED', 'locked', true);
      error.retryAfterSeconds = 300;
      return error;
    });
    const login = document.createElement('rs-login');
    login.api = api;
    document.body.append(login);
    await settle(login);
    await submit(login, { username: 'ana', password: 'pw' });
    const problem = login.shadowRoot!.querySelector('[data-testid="login-error"]')!;
    expect(problem.getAttribute('data-kind')).toBe('locked-until');
    expect(problem.textContent).toContain('Too many failed attempts');
  });

  it('sign-in - the TOTP QR code becomes an image URL, never markup in the page', () => {
    const url = svgDataUrl('<svg xmlns="http://www.w3.org/2000/svg"><text>é</text></svg>');
    expect(url.startsWith('data:image/svg+xml;base64,')).toBe(true);
    const decoded = new TextDecoder().decode(Uint8Array.from(atob(url.split(',')[1]!), (c) => c.charCodeAt(0)));
    expect(decoded).toContain('<text>é</text>');
  });
});
