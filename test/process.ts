// Starts riskstream as a real child process (the built CLI) for end-to-end and failure tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { sourcePath } from '../core/index.js';

export type RiskstreamProcess = {
  readonly child: ChildProcess;
  readonly baseUrl: string;
  /** Everything it wrote, stdout and stderr as they came. */
  output(): string;
  /** What it wrote to stdout alone. */
  stdout(): string;
  /** SIGTERM and wait for the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL: no draining, no goodbye. */
  kill(): Promise<void>;
};

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export async function startRiskstream(env: Record<string, string>, args: string[] = ['start'], waitHealthy = true): Promise<RiskstreamProcess> {
  const port = env.PORT && env.PORT !== '0' ? Number(env.PORT) : await freePort();
  const child = spawn(process.execPath, [sourcePath('dist', 'bin', 'riskstream.js'), ...args], {
    env: { ...process.env, LOG_LEVEL: 'warn', ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let stdout = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    stdout += chunk.toString();
  });
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const baseUrl = `http://127.0.0.1:${port}`;
  const handle: RiskstreamProcess = {
    child,
    baseUrl,
    output: () => output,
    stdout: () => stdout,
    async stop() {
      if (child.exitCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      return exited;
    },
    async kill() {
      if (child.exitCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
  if (!waitHealthy) return handle;
  const deadline = Date.now() + 45_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`riskstream exited (${child.exitCode}) during start-up:\n${output}`);
    try {
      const response = await fetch(`${baseUrl}/healthz`);
      if (response.status === 200) return handle;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await handle.kill();
      throw new Error(`riskstream did not become healthy in 45 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}
