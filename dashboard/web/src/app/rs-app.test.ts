// @vitest-environment happy-dom
// The shell with a stubbed fetch and WebSocket: how it treats a session check the server could not
// answer, and what it says when a session ends.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SIGNED_IN_COOKIE, forgetSessionHint } from '../api/session-hint.js';
import { FakeSocket, settle } from '../test-support/fakes.js';
import './rs-app.js';
import type { RsApp } from './rs-app.js';

const ME = { csrfToken: 't', user: { username: 'mo', displayName: 'Mo', roles: ['risk_monitor'], totpEnabled: false, locale: 'en' } };
const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

describe('app shell', () => {
  beforeEach(() => {
    vi.stubGlobal('WebSocket', FakeSocket);
    document.cookie = `${SIGNED_IN_COOKIE}=1; Path=/`;
    window.location.hash = '#/overview';
  });
  afterEach(() => {
    vi.unstubAllGlobals();
    document.body.innerHTML = '';
    document.cookie = forgetSessionHint();
  });

  const text = (app: RsApp) => app.shadowRoot!.textContent ?? '';

  it('app shell - a session check the server could not answer is asked again, not turned into a sign-in form', async () => {
    let calls = 0;
    vi.stubGlobal('fetch', async (url: string) => {
      if (!String(url).startsWith('/api/auth/me')) return json(200, { minutes: [] });
      calls += 1;
      if (calls === 1) throw new TypeError('Failed to fetch');
      return json(200, ME);
    });
    const app = document.createElement('rs-app');
    document.body.append(app);
    await vi.waitFor(() => expect(app.shadowRoot!.querySelector('[data-testid="app-booting"]')?.textContent).toContain('cannot be reached'), { timeout: 2_000 });
    expect(app.shadowRoot!.querySelector('rs-login')).toBeNull();
    await vi.waitFor(() => expect(app.shadowRoot!.querySelector('[data-testid="sign-out"]')).not.toBeNull(), { timeout: 4_000 });
    expect(calls).toBe(2);
  });

  it('app shell - a session that ends while signed in says so above the sign-in form; signing out does not', async () => {
    let session = true;
    vi.stubGlobal('fetch', async (url: string) => {
      if (String(url).startsWith('/api/auth/logout')) return json(200, {});
      if (String(url).startsWith('/api/auth/me')) return session ? json(200, ME) : json(401, { error: { code: 'RS_ERR_UNAUTHENTICATED', message: 'no session', retryable: false } });
      return session ? json(200, { minutes: [], totals: {} }) : json(401, { error: { code: 'RS_ERR_UNAUTHENTICATED', message: 'no session', retryable: false } });
    });
    const app = document.createElement('rs-app');
    document.body.append(app);
    await vi.waitFor(() => expect(app.shadowRoot!.querySelector('[data-testid="sign-out"]')).not.toBeNull(), { timeout: 2_000 });
    session = false;
    window.location.hash = '#/credit';
    await vi.waitFor(() => expect(app.shadowRoot!.querySelector('rs-login')).not.toBeNull(), { timeout: 2_000 });
    await settle(app);
    expect(text(app)).toContain('Your session has ended');

    // signed in again, then out by choice: no note
    session = true;
    app.shadowRoot!.querySelector('rs-login')!.dispatchEvent(new CustomEvent('rs-signed-in', { detail: ME, bubbles: true, composed: true }));
    await vi.waitFor(() => expect(app.shadowRoot!.querySelector('[data-testid="sign-out"]')).not.toBeNull(), { timeout: 2_000 });
    expect(window.location.hash).toBe('#/credit');
    app.shadowRoot!.querySelector<HTMLButtonElement>('[data-testid="sign-out"]')!.click();
    await vi.waitFor(() => expect(app.shadowRoot!.querySelector('rs-login')).not.toBeNull(), { timeout: 2_000 });
    await settle(app);
    expect(text(app)).not.toContain('Your session has ended');
  });
});
