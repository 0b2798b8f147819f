// Builds the dashboard web app into dist/web, which the riskstream server serves at `/` (with an
// SPA fallback). `vite --config dashboard/web/vite.config.ts` runs a dev server that proxies the API
// and the WebSocket to a riskstream on :8080 (or RISKSTREAM_URL).
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import { BUILD_META_NAME } from '../server/protocol.js';

const root = fileURLToPath(new URL('.', import.meta.url));
const backend = process.env.RISKSTREAM_URL ?? 'http://127.0.0.1:8080';

/**
 * Writes the build's id into index.html as `<meta name="riskstream-build">`: a digest of the names
 * of everything built, which Vite names by content, so the same sources give the same id. The app
 * reads it from its page, the server from the index.html it serves (web-app.ts: webAppBuild), and a
 * tab whose build differs from the server's offers a reload (docs/dashboard-live.md, "Versions").
 */
function buildIdPlugin(): Plugin {
  return {
    name: 'riskstream-build-id',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(_html, context) {
        const names = Object.keys(context.bundle ?? {}).filter((name) => !name.endsWith('.html')).sort();
        const id = createHash('sha256').update(names.join('\n')).digest('hex').slice(0, 16);
        return [{ tag: 'meta', attrs: { name: BUILD_META_NAME, content: id }, injectTo: 'head' }];
      },
    },
  };
}

export default defineConfig({
  root,
  plugins: [buildIdPlugin()],
  base: '/',
  build: {
    outDir: '../../dist/web',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
  },
  server: {
    port: 5173,
    proxy: {
      '/api': { target: backend, changeOrigin: false },
      '/ws': { target: backend.replace(/^http/, 'ws'), ws: true },
    },
  },
});
