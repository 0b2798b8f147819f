import { execFileSync, spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { describe, expect, it } from 'vitest';
import { sourcePath } from '../core/index.js';
import { eventually, NATS_URL } from '../test/harness.js';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { loadConfig } from '../core/config.js';
import { BenchError, benchUrlOf, checkBenchOptions, runBenchCommand, type BenchCommandOptions } from './bench.js';

describe('bench - options', () => {
  it.each(['notaurl', '127.0.0.1:8080', 'ftp://127.0.0.1/', 'http://'])('refuses --url %s, naming it', (url) => {
    expect(() => benchUrlOf(url)).toThrow(BenchError);
    expect(() => benchUrlOf(url)).toThrow(`--url ${url} is not an http(s) address such as http://127.0.0.1:8080`);
  });

  it('takes an http(s) base URL as it is', () => {
    expect(benchUrlOf('http://127.0.0.1:8080')).toBe('http://127.0.0.1:8080');
    expect(benchUrlOf('https://ingest.example/base')).toBe('https://ingest.example/base');
  });
});

describe('bench - options that cannot work', () => {
  const base = { rate: 1000, duration: 10, warmup: 5, spawn: true, roles: undefined, suite: false };
  it.each([
    [{ rate: 10_000_000_000, duration: 1 }, '--rate 10000000000 is more than the bench can send (at most 1,000,000 events/s)'],
    [{ rate: 1_000_000, duration: 200, warmup: 0 }, '--rate 1000000 for 0 + 200 s is 200,000,000 events; the bench tracks at most 100,000,000 in one run'],
    [{ roles: 'ingest,processors', spawn: false }, '--roles sets the roles of a riskstream the bench starts: add --spawn'],
    [{ roles: 'bogus' }, '--roles: unknown role "bogus"'],
  ])('refuses %o in one line, before starting anything', (options, message) => {
    expect(() => checkBenchOptions({ ...base, ...options })).toThrow(BenchError);
    expect(() => checkBenchOptions({ ...base, ...options })).toThrow(message);
  });

  it('takes what it can run', () => {
    expect(() => checkBenchOptions(base)).not.toThrow();
    expect(() => checkBenchOptions({ ...base, rate: 1_000_000, duration: 60, roles: 'ingest,processors' })).not.toThrow();
  });
});

describe('bench - an ingest address where nothing answers', () => {
  /** A port of this machine where nothing listens (taken, then given back). */
  async function closedPort(): Promise<number> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    await new Promise((resolve) => server.close(resolve));
    return port;
  }

  const run = (url: string, env: NodeJS.ProcessEnv): Promise<number> => {
    const options: BenchCommandOptions = {
      rate: 50,
      duration: 1,
      warmup: 1,
      via: 'http',
      url,
      grace: 1,
      drain: 0,
      batchSize: 10,
      envelope: 1,
      linger: 0,
      envelopeScope: 'kind',
      connections: 2,
      alertShare: 0,
      wsClients: 0,
    };
    return runBenchCommand(loadConfig({ NATS_URL, RISKSTREAM_NAMESPACE: 'h_benchcli_probe', RISKSTREAM_DATA_DIR: '/tmp/h_benchcli_probe', ...env }), options);
  };

  // before: the warm-up said 'sent 50  lost 0 … all decided', the whole run went on, and the hint blamed the processors
  it('stops before the warm-up, naming the address and what to check', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const started = performance.now();
    const failure = run(url, { RISKSTREAM_API_KEY: 'k_benchcli_0123456789abcdef' });
    await expect(failure).rejects.toThrow(BenchError);
    await expect(failure).rejects.toThrow(`nothing answers at ${url} (ECONNREFUSED): is riskstream running there, and on that port? Give --url the address of its ingest (its PORT), or use --spawn`);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('stops before the warm-up where the riskstream there has no ingest role', async () => {
    // what a process without the ingest role answers to the ingest's routes
    const server = createHttpServer((_request, response) => response.writeHead(404).end('{"error":{"code":"RS_ERR_NOT_FOUND"}}'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    try {
      await expect(run(url, { RISKSTREAM_API_KEY: 'k_benchcli_0123456789abcdef' })).rejects.toThrow(
        `${url} answers 404 to ingest requests; the riskstream there has no ingest role (give the address of a process started with it), or use --spawn`,
      );
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('asks for the ingest key first, with where a demo keeps its own', async () => {
    await expect(run('http://127.0.0.1:1', { RISKSTREAM_API_KEY: undefined })).rejects.toThrow(
      /^set RISKSTREAM_API_KEY to the ingest key of the running riskstream to bench it --via http.*, or use --spawn$/,
    );
  });
});

describe('bench - interrupted', () => {
  /** Runs the built bench --spawn until its run is under way, then sends it `signal`. */
  async function interrupted(signal: NodeJS.Signals): Promise<{ code: number | null; out: string; childPid: number; namespace: string; folder: string }> {
    const bench = spawn(process.execPath, [sourcePath('dist', 'bin', 'riskstream.js'), 'bench', '--spawn', '--rate', '200', '--duration', '20', '--warmup', '0', '--json'], {
      env: { ...process.env, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    bench.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    bench.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => bench.once('exit', (code) => resolve(code)));
    const started = await eventually(() => /started riskstream \(pid (\d+), namespace (bench_[0-9a-f]+), log (\S+)\/riskstream\.log\)/.exec(out) ?? undefined, 60_000, 'the spawned riskstream');
    // Some of the run sent, then the signal.
    await eventually(() => (out.includes('bench: riskstream is up') ? true : undefined), 60_000, 'the spawned riskstream to answer');
    await new Promise((r) => setTimeout(r, 3000));
    bench.kill(signal);
    return { code: await exited, out, childPid: Number(started[1]), namespace: started[2]!, folder: started[3]! };
  }

  const alive = (pid: number): boolean => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };

  it.each([
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const)('on %s prints the figures so far marked partial, stops the spawned riskstream, deletes what it made and exits %d', async (signal, exitCode) => {
    const { code, out, childPid, namespace, folder } = await interrupted(signal);
    expect(code, out).toBe(exitCode);
    expect(out).toContain(`PARTIAL: interrupted by ${signal}`);
    const json = JSON.parse(out.trim().split('\n').filter((line) => line.startsWith('{')).at(-1)!) as { partial: boolean; sent: number; target: { namespace: string } };
    expect(json.partial).toBe(true);
    expect(json.sent).toBeGreaterThan(0);
    expect(json.sent).toBeLessThan(4000);
    expect(json.target.namespace).toBe(namespace);
    expect(alive(childPid)).toBe(false);
    expect(existsSync(folder)).toBe(false);
    const nc = await connect({ servers: NATS_URL });
    try {
      const jsm = await jetstreamManager(nc);
      const streams = await jsm.streams.names().next();
      expect(streams.filter((name) => name.startsWith(namespace.toUpperCase()))).toEqual([]);
    } finally {
      await nc.close();
    }
  }, 120_000);

  it('leaves no riskstream running when the bench itself is killed (SIGKILL)', async () => {
    const { childPid, namespace, folder } = await interrupted('SIGKILL');
    try {
      await eventually(() => (alive(childPid) ? undefined : true), 40_000, 'the spawned riskstream to stop');
    } finally {
      // A killed bench cleans up nothing: what it made is deleted here.
      execFileSync(process.execPath, [sourcePath('dist', 'bin', 'riskstream.js'), 'reset', '--yes'], { env: { ...process.env, RISKSTREAM_NAMESPACE: namespace, RISKSTREAM_DATA_DIR: folder }, stdio: 'ignore' });
      rmSync(folder, { recursive: true, force: true });
    }
  }, 120_000);
});
