// Servers of a test's own, on a free port, that the test may stop and start again: for what
// happens when Redis or NATS goes away. Redis keeps nothing across a restart; NATS keeps its
// JetStream store (its folder) as a real server does.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './process.js';

export type PrivateServer = {
  readonly url: string;
  readonly port: number;
  /** Stops the server (SIGKILL: no goodbye to its clients) and waits for it to exit. */
  stop(): Promise<void>;
  /** Starts it again on the same port. */
  start(): Promise<void>;
  /** Freezes it (SIGSTOP): connections stay open and nothing is answered, as with a hung server; resume() thaws it. */
  pause(): void;
  resume(): void;
  /** Empties its folder (while stopped): a server that comes back without its store. */
  wipe(): void;
  /** Stops it and removes its folder. */
  cleanup(): Promise<void>;
};

type ServerSpec = {
  readonly name: string;
  readonly command: string;
  readonly args: (port: number, dir: string) => string[];
  readonly url: (port: number) => string;
  /** What the server sends first after a client's `probe` (or on connect) when it is up. */
  readonly probe: string | null;
  readonly greeting: string;
};

async function startPrivateServer(spec: ServerSpec): Promise<PrivateServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), `riskstream-${spec.name}-`));
  let child: ChildProcess | undefined;

  async function start(): Promise<void> {
    const server = spawn(spec.command, spec.args(port, dir), { stdio: 'ignore' });
    child = server;
    const deadline = Date.now() + 10_000;
    while (!(await answers(port, spec))) {
      if (server.exitCode !== null) throw new Error(`${spec.command} exited (${server.exitCode}) on port ${port}`);
      if (Date.now() > deadline) throw new Error(`${spec.command} did not answer on port ${port} within 10 s`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async function stop(): Promise<void> {
    const server = child;
    child = undefined;
    if (!server || server.exitCode !== null) return;
    const exited = new Promise((resolve) => server.once('exit', resolve));
    server.kill('SIGCONT'); // a paused one too
    server.kill('SIGKILL');
    await exited;
  }

  await start();
  return {
    url: spec.url(port),
    port,
    stop,
    start,
    pause() {
      child?.kill('SIGSTOP');
    },
    resume() {
      child?.kill('SIGCONT');
    },
    wipe() {
      if (child) throw new Error(`stop ${spec.name} before wiping its folder`);
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir);
    },
    async cleanup() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function answers(port: number, spec: ServerSpec): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.setTimeout(1000);
    socket.once('connect', () => {
      if (spec.probe !== null) socket.write(spec.probe);
    });
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString().startsWith(spec.greeting));
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/** A redis-server (the binary CI installs) without persistence; `extraArgs` configure it further (cluster mode, a replica). */
export function startPrivateRedis(extraArgs: readonly string[] = []): Promise<PrivateServer> {
  return startPrivateServer({
    name: 'redis',
    command: 'redis-server',
    args: (port, dir) => ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, ...extraArgs],
    url: (port) => `redis://127.0.0.1:${port}`,
    probe: 'PING\r\n',
    greeting: '+PONG',
  });
}

/**
 * A nats-server with JetStream (unless told not to), its store in the server's folder (kept across
 * restarts); with `auth`, it takes only that user and password.
 */
export function startPrivateNats(options: { readonly jetstream?: boolean; readonly auth?: { readonly user: string; readonly pass: string } } = {}): Promise<PrivateServer> {
  const jetstream = options.jetstream ?? true;
  const auth = options.auth ? ['--user', options.auth.user, '--pass', options.auth.pass] : [];
  const command = ['/usr/sbin/nats-server', '/usr/bin/nats-server'].find((path) => existsSync(path)) ?? 'nats-server';
  return startPrivateServer({
    name: 'nats',
    command,
    args: (port, dir) => ['-a', '127.0.0.1', '-p', String(port), ...(jetstream ? ['-js', '-sd', dir] : []), ...auth],
    url: (port) => `nats://127.0.0.1:${port}`,
    probe: null,
    greeting: 'INFO ',
  });
}
