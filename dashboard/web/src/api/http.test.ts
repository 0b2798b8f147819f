// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { ApiClient, ApiError, withQuery } from './http.js';

type Call = { url: string; init: RequestInit };

function fakeFetch(status: number, body: unknown, headers: Record<string, string> = {}) {
  const calls: Call[] = [];
  const fetch = (async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    return new Response(body === null ? '' : JSON.stringify(body), { status, headers });
  }) as unknown as typeof globalThis.fetch;
  return { fetch, calls };
}

describe('api client', () => {
  it('api client - sends the CSRF token on every POST and not on GET', async () => {
    const { fetch, calls } = fakeFetch(200, { ok: true });
    const api = new ApiClient({ fetch });
    api.csrfToken = 'tok-1';
    await api.post('/api/auth/logout');
    await api.get('/api/alerts', { domain: 'aml', cursor: null, limit: 5 });
    expect(new Headers(calls[0]!.init.headers).get('x-csrf-token')).toBe('tok-1');
    expect(calls[0]!.init.method).toBe('POST');
    expect(new Headers(calls[1]!.init.headers).has('x-csrf-token')).toBe(false);
    expect(calls[1]!.url).toBe('/api/alerts?domain=aml&limit=5');
  });

  it('api client - a 401 from any call signs out; from the sign-in call it is the form’s answer', async () => {
    let signedOut = 0;
    const { fetch } = fakeFetch(401, { error: { code: 'RS_ERR_UNAUTHENTICATED', message: 'sign in', retryable: false } });
    const api = new ApiClient({ fetch, onUnauthorized: () => (signedOut += 1) });
    await expect(api.get('/api/kpis')).rejects.toMatchObject({ code: 'RS_ERR_UNAUTHENTICATED', status: 401 });
    expect(signedOut).toBe(1);
    await expect(api.post('/api/auth/login', { username: 'a', password: 'b' })).rejects.toBeInstanceOf(ApiError);
    expect(signedOut).toBe(1);
  });

  it('api client - a wrong code or current password in a signed-in form is the form’s answer, not a lost session', async () => {
    for (const code of ['RS_ERR_TOTP_INVALID', 'RS_ERR_LOGIN_FAILED']) {
      let signedOut = 0;
      const { fetch } = fakeFetch(401, { error: { code, message: 'wrong', retryable: false } });
      const api = new ApiClient({ fetch, onUnauthorized: () => (signedOut += 1) });
      await expect(api.post('/api/auth/totp/confirm', { code: '000000' })).rejects.toMatchObject({ code, status: 401 });
      expect(signedOut).toBe(0);
    }
  });

  it('api client - reads error answers and retry-after', async () => {
    const { fetch } = fakeFetch(429, { error: { code: 'RS_ERR_LOGIN_LOCKED', message: 'locked', retryable: true } }, { 'retry-after': '120' });
    const api = new ApiClient({ fetch });
    const error = (await api.post('/api/auth/login', {}).catch((e: unknown) => e)) as ApiError;
    expect(error.code).toBe('RS_ERR_LOGIN_LOCKED');
    expect(error.retryable).toBe(true);
    expect(error.retryAfterSeconds).toBe(120);
  });

  it('api client - builds query strings without empty values', () => {
    expect(withQuery('/x', { a: undefined, b: '', c: 0, d: 'é&' })).toBe('/x?c=0&d=%C3%A9%26');
    expect(withQuery('/x')).toBe('/x');
  });
});
