// Builds the dashboard web app into dist/web, which the riskstream server serves at `/` (with an
// SPA fallback). `vite --config dashboard/web/vite.config.ts` runs a dev server that proxies the API
// and the WebSocket to a riskstream on :8080 (or RISKSTREAM_URL).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
const backend = process.env.RISKSTREAM_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root,
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
