import { defineConfig } from 'vitest/config';

// Integration tests talk to the real NATS, Redis and chDB; each test file runs in its own
// process (chDB binds one data folder per process) and isolates itself by namespace.
export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'dist/**', 'data/**'],
    globalSetup: ['test/global-setup.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
