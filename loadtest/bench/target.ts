// The riskstream a bench run drives: one already running that it attaches to, or a fresh one it
// spawns for the run in a namespace and data folder of its own, and removes afterwards (streams,
// KV buckets, Redis keys, folder), so that benchmarking leaves nothing behind.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { connectBus, connectRedis, deleteKeysWithPrefix, deleteNamespace, names as namesOf, safeUrl, type Config } from '../../core/index.js';
import { BenchError } from './failure.js';
import { PARENT_WATCH_ENV } from './parent-watch.js';

export type Target = {
  readonly config: Config;
  readonly baseUrl: string;
  readonly pid?: number;
  /** Started by the bench for the run (its own namespace), rather than attached to. */
  readonly spawned: boolean;
  /** A dashboard user for the WebSocket subscribers and the browser. */
  readonly user?: { readonly username: string; readonly password: string };
  stop(): Promise<void>;
  /** At once, without waiting: SIGKILL the spawned process (a second interrupt). */
  kill(): void;
};

/** What was measured, as the figures name it: the namespace, the NATS server (without secrets) and the HTTP base. */
export type TargetSummary = { readonly namespace: string; readonly natsUrl: string; readonly baseUrl: string; readonly spawned: boolean };

export function targetSummaryOf(target: Target): TargetSummary {
  return { namespace: target.config.namespace, natsUrl: safeUrl(target.config.natsUrl), baseUrl: target.baseUrl, spawned: target.spawned };
}

/** A riskstream already running, at baseUrl; its dashboard user only when the environment names one. */
export function attachTarget(config: Config, baseUrl: string, pid: number | undefined): Target {
  const user = config.adminUser && config.adminPassword ? { username: config.adminUser, password: config.adminPassword } : undefined;
  return { config, baseUrl, pid, spawned: false, user, stop: async () => undefined, kill: () => undefined };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export type SpawnSettings = {
  /** The `riskstream` command's script: the caller knows where it was built. */
  readonly entry: string;
  /** The roles of the spawned riskstream (default: all). */
  readonly roles?: string;
  /** The WebSocket clients the run opens, all as one user: the spawned riskstream lets that user hold as many. */
  readonly wsClients: number;
  readonly signal: AbortSignal;
};

/** Starts a fresh riskstream for the run; undefined when interrupted while it started (it is cleaned up). */
export async function spawnTarget(base: Config, { entry, roles, wsClients, signal }: SpawnSettings): Promise<Target | undefined> {
  const namespace = `bench_${randomBytes(4).toString('hex')}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'riskstream-bench-'));
  const port = await freePort();
  const apiKey = `bench_${randomBytes(16).toString('hex')}`;
  const user = { username: 'bench', password: `bench-${randomBytes(12).toString('hex')}` };
  const logPath = join(dataDir, 'riskstream.log');
  const env = {
    ...process.env,
    PORT: String(port),
    RISKSTREAM_NAMESPACE: namespace,
    RISKSTREAM_DATA_DIR: dataDir,
    RISKSTREAM_API_KEY: apiKey,
    RISKSTREAM_SIMULATOR_RATE: '0',
    RISKSTREAM_DEMO_USERS: '0',
    RISKSTREAM_ADMIN_USER: user.username,
    RISKSTREAM_ADMIN_PASSWORD: user.password,
    // every WebSocket client of the run signs in as this one user
    RISKSTREAM_WS_MAX_PER_USER: String(Math.max(20, wsClients)),
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    [PARENT_WATCH_ENV]: '1',
  };
  const config: Config = { ...base, namespace, dataDir, apiKey, apiKeyGenerated: false, port };
  const log = openSync(logPath, 'a');
  // RISKSTREAM_BENCH_NODE_ARGS: flags for the spawned node, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`
  // to profile the system under load (flags NODE_OPTIONS does not allow).
  const nodeArgs = (process.env.RISKSTREAM_BENCH_NODE_ARGS ?? '').split(' ').filter((a) => a.length > 0);
  // Its own process group, so that a Ctrl-C at the terminal reaches the bench alone, which stops
  // it after printing; its stdin is a pipe from the bench, and parent-watch.js stops it when that
  // pipe closes: the bench is gone (even by SIGKILL, which no handler sees).
  const parentWatch = fileURLToPath(new URL('./parent-watch.js', import.meta.url));
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, '--import', pathToFileURL(parentWatch).href, entry, 'start', ...(roles ? ['--roles', roles] : [])], {
    env,
    stdio: ['pipe', log, log],
    detached: true,
  });
  // The bench's own exit (a stack, process.exit) takes the child with it.
  const killOnExit = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  process.on('exit', killOnExit);
  const baseUrl = `http://127.0.0.1:${port}`;
  process.stderr.write(`bench: started riskstream (pid ${child.pid}, namespace ${namespace}, log ${logPath})\n`);
  /** Stops the child and removes what it made: its streams and KV buckets, its Redis keys, and (unless kept) its folder. */
  async function cleanUp(keepFolder: boolean): Promise<void> {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const exited = await Promise.race([
        new Promise<boolean>((r) => child.once('exit', () => r(true))),
        new Promise<boolean>((r) => (timer = setTimeout(() => r(false), 30_000))),
      ]);
      // A pending timer would keep the bench alive for the rest of the 30 s after the child exited.
      clearTimeout(timer);
      if (!exited) child.kill('SIGKILL');
    }
    process.off('exit', killOnExit);
    child.stdin?.destroy();
    const names = namesOf(namespace);
    const bus = await connectBus(config.natsUrl, names, 'riskstream-bench-cleanup');
    await deleteNamespace(bus);
    await bus.nc.close();
    const redis = await connectRedis(config.redisUrl, 'riskstream-bench-cleanup');
    await deleteKeysWithPrefix(redis, names.redisPrefix);
    redis.disconnect();
    if (!keepFolder) rmSync(dataDir, { recursive: true, force: true });
  }

  // A riskstream that fails to start may already have made its streams (they come before the
  // ClickHouse check): clean up before saying so, or every failed attempt leaves a namespace behind.
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (signal.aborted) {
      await cleanUp(false);
      return undefined;
    }
    if (child.exitCode !== null) {
      const tail = readFileSync(logPath, 'utf8').slice(-2000);
      await cleanUp(false);
      throw new BenchError(`riskstream exited during start-up:\n${tail}`);
    }
    try {
      const response = await fetch(`${baseUrl}/healthz`);
      if (response.ok) {
        process.stderr.write(`bench: riskstream is up at ${baseUrl}\n`);
        break;
      }
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await cleanUp(true);
      throw new BenchError(`riskstream did not become healthy within 60 s; see ${logPath}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    config,
    baseUrl,
    pid: child.pid,
    spawned: true,
    user,
    stop: () => cleanUp(false),
    kill: killOnExit,
  };
}
