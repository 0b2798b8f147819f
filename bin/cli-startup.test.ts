// cli start-up - `--version` and the help load no command's code, and a command loads its own, not
// the others' (bin/riskstream.ts): a static import added there would put every client, validator and
// rule back in front of `riskstream --help`.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sourcePath } from '../core/index.js';

describe('cli start-up - what a command line loads', () => {
  let folder: string;
  let register: string;
  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), 'riskstream-cli-startup-'));
    // A module hook that names every file of ours the process loads, on stderr.
    const hooks = join(folder, 'hooks.mjs');
    writeFileSync(hooks, "export async function load(url, context, next) {\n  if (url.includes('/dist/')) process.stderr.write(`loaded ${url}\\n`);\n  return next(url, context);\n}\n");
    register = join(folder, 'register.mjs');
    writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`);
  });
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  /** The files under dist/ that `riskstream <args>` loads, relative to dist/. */
  async function loaded(args: string[]): Promise<string[]> {
    const result = await promisify(execFile)(process.execPath, ['--import', register, sourcePath('dist', 'bin', 'riskstream.js'), ...args], { env: { ...process.env, LOG_LEVEL: 'silent' }, timeout: 30_000 }).catch(
      (error: { stderr?: string }) => ({ stderr: error.stderr ?? '' }),
    );
    return [...result.stderr.matchAll(/^loaded .*\/dist\/(.+)$/gm)].map((m) => m[1]!);
  }

  const COMMANDS = ['start', 'doctor', 'simulate', 'replay', 'import', 'bench', 'reset', 'dead-letters', 'backup', 'users'].map((c) => `bin/${c}.js`);

  it.each([[['--version']], [['--help']], [['start', '--help']], [['doctor', '--help']], [['users', 'add', '--help']]])('%j loads neither core/index.js nor any command', async (args) => {
    const files = await loaded(args);
    expect(files).toContain('bin/riskstream.js');
    expect(files).not.toContain('core/index.js');
    expect(files.filter((f) => COMMANDS.includes(f) || f === 'bin/system.js')).toEqual([]);
  }, 60_000);

  it('a command loads its own code and no other command', async () => {
    // import of a file that is not there: fails at once, after loading the command
    const files = await loaded(['import', 'paysim', join(folder, 'no-such-file.csv')]);
    expect(files).toContain('bin/import.js');
    expect(files.filter((f) => (COMMANDS.includes(f) && f !== 'bin/import.js') || f === 'bin/system.js')).toEqual([]);
  }, 60_000);
});
