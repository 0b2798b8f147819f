// How the command line ends: a user's mistake is one line without a stack (a mistaken option or
// argument adds one naming its --help), a defect keeps its stack, and a reader of stdout that goes
// away ends the command quietly. Unit tests of the rules, then the built CLI as a user runs it.
import { spawn } from 'node:child_process';
import { hostname, tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, sourcePath } from '../core/index.js';
import { AdminEnvError } from '../dashboard/server/auth/index.js';
import { DataFolderInUseError } from '../storage/index.js';
import { childEnv, createHarness, type Harness } from '../test/harness.js';
import { TimeoutError } from '@nats-io/nats-core';
import { commandLineMistake, dataFolderInUseWhileStarting, failureText, isUserMistake, natsTimeoutWhileStarting, noSpaceWhileStarting } from './cli-failure.js';
import { UsersCommandError } from './users.js';

describe('cli failure - one line for a mistake, a stack for a defect', () => {
  it.each([
    ['AdminEnvError', new AdminEnvError('RISKSTREAM_ADMIN_PASSWORD: at least 12 characters')],
    ['ConfigError', new ConfigError('PORT=0x50 is not an integer')],
    ['UsersCommandError', new UsersCommandError('no user bob')],
    ['an error marked userMistake', Object.assign(new Error('the file is not a backup'), { userMistake: true })],
  ])('%s: its message alone', (_name, error) => {
    expect(isUserMistake(error)).toBe(true);
    expect(failureText(error)).toBe(error.message);
  });

  it('a mistake in the command line found by the command: its message and where its help is', () => {
    const error = commandLineMistake(new Error('--rate must be at least 1 event per second'));
    expect(isUserMistake(error)).toBe(true);
    expect(failureText(error, 'riskstream simulate')).toBe('--rate must be at least 1 event per second\n(see riskstream simulate --help)');
    // a service that is not there is no mistake of the command line: no hint
    expect(failureText(new ConfigError('NATS at nats://127.0.0.1:1 does not answer'), 'riskstream simulate')).toBe('NATS at nats://127.0.0.1:1 does not answer');
  });

  it('anything else: the stack, for the report', () => {
    const bug = new TypeError('cannot read properties of undefined');
    expect(isUserMistake(bug)).toBe(false);
    expect(failureText(bug)).toBe(bug.stack);
    expect(failureText('a string')).toBe('a string');
  });
});

describe('cli failure - a full disk while starting', () => {
  const enospc = (): Error => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });
  const notEnoughSpace = (): Error => Object.assign(new Error('Code: 243. DB::Exception: Cannot reserve 1.00 MiB, not enough space. (NOT_ENOUGH_SPACE)'), { type: 'NOT_ENOUGH_SPACE' });

  it.each([
    ['writing a file of the data folder (ENOSPC)', enospc(), false, /^no space left on the disk of the data folder \/nowhere\/rs-data while riskstream was starting \(ENOSPC: no space left on device, write\): free space there, or set RISKSTREAM_DATA_DIR to a folder on a disk with room, then start again\. Nothing was taken from the streams\.$/],
    ['embedded chDB refusing to create its tables', notEnoughSpace(), false, /^no space left on the disk of the data folder \/nowhere\/rs-data while riskstream was starting \(Code: 243\. .*\(NOT_ENOUGH_SPACE\)\): free space there/],
    ['a ClickHouse server refusing (CLICKHOUSE_URL)', notEnoughSpace(), true, /^the ClickHouse server's disk is full \(Code: 243\. .*\): free space on it, then start again\. Nothing was taken from the streams\.$/],
  ])('%s: one line naming the disk and what to do', (_name, error, server, text) => {
    const said = noSpaceWhileStarting(error, '/nowhere/rs-data', server);
    expect(isUserMistake(said)).toBe(true);
    expect(failureText(said)).toMatch(text);
    expect((said as Error).cause).toBe(error);
  });

  it('the free space, when the folder can be read', () => {
    expect(failureText(noSpaceWhileStarting(enospc(), tmpdir(), false))).toMatch(/^no space left on the disk of the data folder \S+ \(\S+ \S+ free of \S+ \S+\) while/);
  });

  it('anything else, or a message already for the user, passes through', () => {
    const bug = new TypeError('x is undefined');
    expect(noSpaceWhileStarting(bug, '/nowhere', false)).toBe(bug);
    const config = new ConfigError('RISKSTREAM_DATA_DIR: no space left on device');
    expect(noSpaceWhileStarting(config, '/nowhere', false)).toBe(config);
    expect(noSpaceWhileStarting('ENOSPC', '/nowhere', false)).toBe('ENOSPC');
  });
});

describe('cli failure - NATS that does not answer while starting', () => {
  it('is one line naming NATS (without its credentials), not a stack', () => {
    const said = natsTimeoutWhileStarting(new TimeoutError(), 'nats://app:s3cret@10.0.0.5:4222');
    expect(isUserMistake(said)).toBe(true);
    expect(failureText(said)).toMatch(/^NATS at nats:\/\/app:\*\*\*@10\.0\.0\.5:4222 did not answer a JetStream request in time while riskstream was starting .*riskstream doctor/);
    expect(failureText(said)).not.toContain('s3cret');
    // anything else passes through as it was
    const other = new Error('boom');
    expect(natsTimeoutWhileStarting(other, 'nats://127.0.0.1:4222')).toBe(other);
  });
});

describe('cli failure - a data folder another process holds, at a start', () => {
  it('says, in one line, how to run a separate riskstream or add processes to the running one', () => {
    const held = new DataFolderInUseError('/srv/rs/chdb', 4242, hostname());
    const said = dataFolderInUseWhileStarting(held);
    expect(isUserMistake(said)).toBe(true);
    expect(failureText(said)).toMatch(/^the embedded ClickHouse data folder \/srv\/rs\/chdb is owned by process 4242\. .*CLICKHOUSE_URL\./);
    expect(failureText(said)).toMatch(/its own RISKSTREAM_DATA_DIR, RISKSTREAM_NAMESPACE and PORT; .*--roles ingest,processors/);
    expect(failureText(said)).not.toContain('\n');
    // anything else passes through as it was
    const other = new Error('boom');
    expect(dataFolderInUseWhileStarting(other)).toBe(other);
  });
});

describe('cli failure - the built CLI', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(async () => h?.cleanup());

  function cli(args: string[], env: Record<string, string>, options: { closeStdoutAfter?: number } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const child = spawn(process.execPath, [sourcePath('dist', 'bin', 'riskstream.js'), ...args], {
      env: { ...process.env, ...childEnv(h), PORT: '0', LOG_LEVEL: 'silent', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      // the reader goes away, as `| head -1` does
      if (options.closeStdoutAfter !== undefined && stdout.length >= options.closeStdoutAfter) child.stdout.destroy();
    });
    if (options.closeStdoutAfter === 0) child.stdout.destroy();
    child.stderr.on('data', (chunk: Buffer) => void (stderr += chunk.toString()));
    return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
  }

  it.each([
    [{ RISKSTREAM_ADMIN_USER: 'root' }, 'riskstream: set both RISKSTREAM_ADMIN_USER and RISKSTREAM_ADMIN_PASSWORD, or neither\n'],
    [{ RISKSTREAM_ADMIN_USER: 'root', RISKSTREAM_ADMIN_PASSWORD: 'short' }, /^riskstream: RISKSTREAM_ADMIN_PASSWORD: .+\n$/],
    [{ RISKSTREAM_ADMIN_USER: 'Bad User', RISKSTREAM_ADMIN_PASSWORD: 'a long enough password' }, /^riskstream: RISKSTREAM_ADMIN_USER: .+\n$/],
  ])('start with %j: one line, exit 1, no stack', async (env, message) => {
    const { code, stderr } = await cli(['start', '--roles', 'api'], env);
    expect(code).toBe(1);
    expect(stderr).not.toContain('    at ');
    if (typeof message === 'string') expect(stderr).toBe(message);
    else expect(stderr).toMatch(message);
  }, 60_000);

  it.each([
    [['bench', '--rate', 'x'], "error: option '--rate <n>' argument 'x' is invalid. expected a whole number of at least 1\n(see riskstream bench --help)\n"],
    [['bench', '--rat', '5'], "error: unknown option '--rat'\n(Did you mean --rate?)\n(see riskstream bench --help)\n"],
    [['users', 'add'], "error: missing required argument 'username'\n(see riskstream users add --help)\n"],
    [['users', 'frob'], "error: unknown command 'frob'\n(see riskstream users --help)\n"],
    [['frob'], "error: unknown command 'frob'\n(see riskstream --help)\n"],
    // before: 'riskstream: unknown format "paysum": one of paysim, …', without a suggestion or the help
    [
      ['import', 'paysum', 'file.csv'],
      "error: command-argument value 'paysum' is invalid for argument 'format'. unknown format \"paysum\"; did you mean paysim? (one of paysim, sparkov, ieee-cis, amlworld)\n(see riskstream import --help)\n",
    ],
    [['import', 'kaggle', 'file.csv'], "error: command-argument value 'kaggle' is invalid for argument 'format'. unknown format \"kaggle\" (one of paysim, sparkov, ieee-cis, amlworld)\n(see riskstream import --help)\n"],
    // found by the command's action rather than by commander: before, without the help's line
    [['simulate', '--rate', '0', '--count', '1'], 'riskstream: --rate must be at least 1 event per second (event time advances with the rate)\n(see riskstream simulate --help)\n'],
    [['simulate', '--customers', '5', '--count', '1'], 'riskstream: --customers must be at least 100\n(see riskstream simulate --help)\n'],
    [['start', '--roles', 'foo'], 'riskstream: --roles foo: unknown role "foo"; roles are: ingest, processors, writer, api, simulator\n(see riskstream start --help)\n'],
    [['bench', '--roles', 'api'], 'riskstream: --roles sets the roles of a riskstream the bench starts: add --spawn (an attached riskstream runs the roles it was started with)\n(see riskstream bench --help)\n'],
  ])('%j: the mistake and where the help is, not the whole help; exit 1', async (args, message) => {
    const { code, stdout, stderr } = await cli(args, {});
    expect(stderr).toBe(message);
    expect(stdout).toBe('');
    expect(code).toBe(1);
  }, 30_000);

  it('a failure at run time, not of the command line, names no help', async () => {
    const { code, stderr } = await cli(['simulate', '--url', 'http://127.0.0.1:1', '--count', '1'], {});
    expect(stderr).toMatch(/\nriskstream: nothing answers at http:\/\/127\.0\.0\.1:1 \(ECONNREFUSED\): is riskstream running there, and on that port\?\n$/);
    expect(code).toBe(1);
  }, 30_000);

  it('users list into a reader that went away ends quietly with 0', async () => {
    const { code, stderr } = await cli(['users', 'list'], {}, { closeStdoutAfter: 0 });
    expect(stderr).toBe('');
    expect(code).toBe(0);
  }, 30_000);

  it('simulate --out - into a reader that went away stops, counts what it wrote, and exits 0', async () => {
    const { code, stdout, stderr } = await cli(['simulate', '--out', '-', '--count', '100000', '--customers', '1000'], {}, { closeStdoutAfter: 1 });
    expect(stderr).not.toContain('    at ');
    expect(stderr).not.toContain('EPIPE');
    const sent = Number(/simulate: (\d+) events sent \(stdout was closed by its reader: stopped there\)/.exec(stderr)?.[1]);
    expect(sent).toBeGreaterThan(0);
    expect(sent).toBeLessThan(100_000);
    expect(stdout.length).toBeGreaterThan(0);
    expect(code).toBe(0);
  }, 60_000);
});
