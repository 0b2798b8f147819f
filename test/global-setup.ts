// Builds dist/ (server and dashboard) before the tests, so that end-to-end tests start the code as
// it is now. RS_SKIP_BUILD=1 skips it when running only tests that do not start the built CLI.
import { execFileSync } from 'node:child_process';

export default function setup(): void {
  if (process.env.RS_SKIP_BUILD === '1') return;
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
  execFileSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--config', 'dashboard/web/vite.config.ts', '--logLevel', 'warn'], { stdio: 'inherit' });
}
