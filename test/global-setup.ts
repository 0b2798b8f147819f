// Builds dist/ (server and dashboard) before the tests, so that end-to-end tests start the code as
// it is now. RS_SKIP_BUILD=1 skips it when running only tests that do not start the built CLI.
import { execFileSync } from 'node:child_process';

export default function setup(): void {
  if (process.env.RS_SKIP_BUILD === '1') return;
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
  // The production build, as `npm run build` makes it: vitest sets NODE_ENV=test, and a build that
  // inherits it resolves Lit's development build (slower, and warning in every browser console), so
  // the end-to-end tests would test another bundle than the one users get, and leave it in dist/.
  execFileSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--config', 'dashboard/web/vite.config.ts', '--logLevel', 'warn'], {
    stdio: 'inherit',
    env: { ...process.env, NODE_ENV: 'production' },
  });
}
