import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger, createMetrics } from '../../core/index.js';
import { buildServer } from './server.js';
import { APP_CSP, buildIdOf, webAppBuild } from './web-app.js';

const folders: string[] = [];
afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

async function serverWith(built: boolean, routes?: (app: FastifyInstance) => Promise<void>) {
  return (await serverAndRoot(built, routes)).app;
}

/** A server over a built (or not) dashboard in a folder of its own, and that folder. */
async function serverAndRoot(built = true, routes?: (app: FastifyInstance) => Promise<void>) {
  const root = mkdtempSync(join(tmpdir(), 'riskstream-web-'));
  folders.push(root);
  if (built) {
    mkdirSync(join(root, 'assets'));
    writeFileSync(join(root, 'index.html'), '<!doctype html><title>riskstream</title><script type="module" src="/assets/app-1a2b.js"></script>');
    writeFileSync(join(root, 'assets', 'app-1a2b.js'), 'console.log(1)');
  }
  const app = await buildServer({
    logger: createLogger('silent'),
    metrics: createMetrics(),
    health: async () => ({ ok: true, checks: {} }),
    plugins: routes ? [routes] : [],
    webApp: { root },
  });
  return { app, root };
}

describe('web app - serving the built dashboard', () => {
  it('serves the page at / with a strict content security policy', async () => {
    const app = await serverWith(true);
    const res = await app.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.headers['content-security-policy']).toBe(APP_CSP);
    expect(APP_CSP).toContain("script-src 'self'");
    expect(APP_CSP).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(res.body).toContain('<title>riskstream</title>');
  });

  it('serves hashed assets with long caching', async () => {
    const app = await serverWith(true);
    const res = await app.inject({ method: 'GET', url: '/assets/app-1a2b.js' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toContain('immutable');
  });

  it('serves the assets of a rebuild under the running server, as the page it then serves names them', async () => {
    const { app, root } = await serverAndRoot();
    writeFileSync(join(root, 'assets', 'app-9f9f.js'), 'console.log(2)');
    writeFileSync(join(root, 'index.html'), '<!doctype html><title>riskstream</title><script type="module" src="/assets/app-9f9f.js"></script>');
    const page = await app.inject({ method: 'GET', url: '/' });
    expect(page.body).toContain('/assets/app-9f9f.js');
    const asset = await app.inject({ method: 'GET', url: '/assets/app-9f9f.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.body).toBe('console.log(2)');
    expect(asset.headers['cache-control']).toContain('immutable');
    // still only files under the build's folder
    for (const url of ['/assets/../../etc/passwd', '/assets/%2e%2e/%2e%2e/etc/passwd', '/..%2f..%2fetc/passwd']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(404);
      expect(res.body, url).not.toContain('root:');
    }
  });

  it('answers browser navigations to app pages with the page, and everything else with a JSON 404', async () => {
    const app = await serverWith(true);
    const page = await app.inject({ method: 'GET', url: '/alerts/abc?x=1', headers: { accept: 'text/html,application/xhtml+xml' } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<title>riskstream</title>');
    for (const url of ['/api/nothing', '/v1/nothing', '/assets/missing.js', '/alerts']) {
      const res = await app.inject({ method: 'GET', url, headers: url === '/alerts' ? {} : { accept: 'text/html' } });
      expect(res.statusCode, url).toBe(404);
      expect(res.json().error.code).toBe('RS_ERR_NOT_FOUND');
    }
  });

  it('sends the page security headers with every HTML answer, however reached, /index.html included', async () => {
    const app = await serverWith(true);
    const answers = [
      await app.inject({ method: 'GET', url: '/' }),
      await app.inject({ method: 'GET', url: '/index.html' }),
      await app.inject({ method: 'GET', url: '/alerts/abc', headers: { accept: 'text/html' } }),
    ];
    for (const res of answers) {
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.headers['content-security-policy']).toBe(APP_CSP);
      expect(APP_CSP).toContain("frame-ancestors 'none'");
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['cache-control']).toBe('no-cache');
    }
  });

  it('sends nosniff with every answer, and no-store with JSON that sets no caching of its own', async () => {
    const app = await serverWith(true, async (a) => {
      a.get('/api/test/personal', async () => ({ name: 'A Person' }));
      a.get('/api/test/cached', async (_request, reply) => reply.header('cache-control', 'private, max-age=5').send({ ok: true }));
    });
    const personal = await app.inject({ method: 'GET', url: '/api/test/personal' });
    expect(personal.headers['x-content-type-options']).toBe('nosniff');
    expect(personal.headers['cache-control']).toBe('no-store');
    expect((await app.inject({ method: 'GET', url: '/api/test/cached' })).headers['cache-control']).toBe('private, max-age=5');
    for (const url of ['/api/nothing', '/healthz']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.headers['x-content-type-options'], url).toBe('nosniff');
      expect(res.headers['cache-control'], url).toBe('no-store');
    }
    const asset = await app.inject({ method: 'GET', url: '/assets/app-1a2b.js' });
    expect(asset.headers['x-content-type-options']).toBe('nosniff');
    expect(asset.headers['cache-control']).toContain('immutable');
    expect(asset.headers['content-security-policy']).toBeUndefined();
  });

  it('says how to build the app when it is not built', async () => {
    const app = await serverWith(false);
    const res = await app.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(503);
    expect(res.body).toContain('npm run build');
  });
});

describe('web app - the build it serves', () => {
  it('buildIdOf - reads the id Vite wrote into the page, and nothing else', () => {
    expect(buildIdOf('<head><meta name="riskstream-build" content="1bd01e8eac526c26"></head>')).toBe('1bd01e8eac526c26');
    expect(buildIdOf('<head><meta name="riskstream-build" content="1bd01e8eac526c26" /></head>')).toBe('1bd01e8eac526c26');
    expect(buildIdOf('<head><title>riskstream</title></head>')).toBeNull();
    expect(buildIdOf('<meta name="riskstream-build" content="<script>">')).toBeNull();
  });

  it('webAppBuild - null before a build, the page\'s id after, and the new one after a rebuild under the running server', () => {
    const root = mkdtempSync(join(tmpdir(), 'riskstream-web-'));
    folders.push(root);
    const build = webAppBuild(root);
    expect(build()).toBeNull();
    writeFileSync(join(root, 'index.html'), '<head><meta name="riskstream-build" content="aaaa0000aaaa0000"></head>');
    expect(build()).toBe('aaaa0000aaaa0000');
    // a rebuild writes a page of another size or time: read again
    writeFileSync(join(root, 'index.html'), '<head><meta name="riskstream-build" content="bbbb1111bbbb1111"><title>x</title></head>');
    expect(build()).toBe('bbbb1111bbbb1111');
  });
});
