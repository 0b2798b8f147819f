// Serves the built dashboard (dist/web) at `/`: hashed assets with long caching, index.html for every
// other page path (the app routes in the browser), and a strict Content-Security-Policy on the page
// so that a name full of markup can never run script even if a component forgot to escape it.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { RiskstreamError } from '../../core/index.js';
import { BUILD_META_NAME } from './protocol.js';

export type WebAppOptions = {
  /** The Vite build output (default dist/web under the package root). */
  readonly root: string;
};

/** Script only from our origin, no inline script, no plugins, no framing. Lit styles are adopted stylesheets; 'unsafe-inline' covers the <style> fallback. */
export const APP_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * What every HTML answer carries, however it is reached (`/`, an app path, `/index.html` from the
 * static files): buildServer's onSend hook sets them on any text/html answer, so that no path to
 * the page sidesteps the policy or lets it be framed.
 */
export const PAGE_HEADERS = {
  'content-security-policy': APP_CSP,
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
} as const;

/** Paths that belong to the server, never to the app's router. */
const SERVER_PREFIXES = ['/api', '/v1', '/ws', '/healthz', '/metrics'];

/**
 * Registers the static assets and returns the handler for paths no route matched: the app's page for
 * browser navigations outside the server's paths, a JSON 404 otherwise. buildServer() installs it as
 * the not-found handler (there is one per server).
 */
export async function registerWebApp(app: FastifyInstance, opts: WebAppOptions): Promise<(request: FastifyRequest, reply: FastifyReply) => FastifyReply> {
  const built = existsSync(join(opts.root, 'index.html'));
  const assets = join(opts.root, 'assets');
  if (built) {
    await app.register(fastifyStatic, {
      root: opts.root,
      prefix: '/',
      // Files are looked up when asked for, not listed once at start: a rebuild under the running
      // server (an upgrade's npm install) brings new hashed assets, and the page it serves names
      // them, so a tab reloading at the new-build notice would otherwise get a blank page. A path
      // that is no file falls through to the not-found handler below (the app's page or a JSON 404).
      wildcard: true,
      index: false,
      setHeaders(reply, path) {
        // Vite names assets by content hash: they never change under one name; the page itself is looked at again every time.
        if (path.startsWith(assets)) reply.header('cache-control', 'public, max-age=31536000, immutable');
        else if (path.endsWith('.html')) reply.header('cache-control', 'no-cache');
      },
    });
  }

  function sendApp(reply: FastifyReply): FastifyReply {
    if (!built) {
      return reply
        .code(503)
        .type('text/plain; charset=utf-8')
        .send('The dashboard is not built. Run `npm run build` (npm install and npm start do it for you), then reload.');
    }
    // the security headers come with every HTML answer (PAGE_HEADERS, set in buildServer's onSend hook)
    return reply.header('cache-control', 'no-cache').sendFile('index.html');
  }

  app.get('/', (_request, reply) => sendApp(reply));
  return function appOrNotFound(request, reply) {
    const path = request.url.split('?')[0] ?? '/';
    const isServerPath = SERVER_PREFIXES.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));
    const looksLikeFile = /\.[a-z0-9]+$/i.test(path);
    if (request.method === 'GET' && !isServerPath && !looksLikeFile && (request.headers.accept ?? '').includes('text/html')) {
      return sendApp(reply);
    }
    return reply.code(404).send(new RiskstreamError('RS_ERR_NOT_FOUND', `no route ${request.method} ${path}`).toJSON());
  };
}

/** The build id the Vite build writes into index.html (dashboard/web/vite.config.ts: buildIdPlugin). */
const BUILD_META = new RegExp(`<meta name="${BUILD_META_NAME}" content="([0-9a-f]{8,64})"`);

/** The build id in an index.html's text, or null (no build, or one from before build ids). */
export function buildIdOf(html: string): string | null {
  return BUILD_META.exec(html)?.[1] ?? null;
}

/**
 * The id of the web app under `root` as it is now: index.html is read again only when it changed
 * (a rebuild under a running server), so the hub can tell every hello what the page it serves is.
 */
export function webAppBuild(root: string): () => string | null {
  const page = join(root, 'index.html');
  let seen: { mtimeMs: number; size: number; build: string | null } | null = null;
  return () => {
    try {
      const { mtimeMs, size } = statSync(page);
      if (seen === null || seen.mtimeMs !== mtimeMs || seen.size !== size) seen = { mtimeMs, size, build: buildIdOf(readFileSync(page, 'utf8')) };
      return seen.build;
    } catch {
      return null; // not built
    }
  };
}
