// The server's time and connection limits on a real listening socket: a body trickled a byte at a
// time is cut with 408, a slow answer or an open WebSocket is not, and connections beyond the cap
// are closed as they arrive.
import websocket from '@fastify/websocket';
import type { FastifyInstance } from 'fastify';
import { connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createLogger, createMetrics } from '../../core/index.js';
import { eventually } from '../../test/harness.js';
import { buildServer, DEFAULT_CONNECTION_LIMITS, type ConnectionLimits } from './server.js';

const LIMITS: ConnectionLimits = { requestTimeoutMs: 1000, headersTimeoutMs: 1000, checkIntervalMs: 100, maxConnections: 1000, idleTimeoutMs: 5000 };

/** Larger than what the kernel's socket buffers on both ends hold, so that an unread answer stalls. */
const LARGE_ANSWER_BYTES = 32 * 1024 * 1024;

let app: FastifyInstance | null = null;
const sockets: Socket[] = [];
const logLines: string[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await app?.close();
  app = null;
});

async function listening(limits: Partial<ConnectionLimits>): Promise<number> {
  app = await buildServer({
    logger: createLogger('debug', 'limits-test', { write: (line: string) => void logLines.push(line) }),
    metrics: createMetrics(),
    health: async () => ({ ok: true, checks: {} }),
    connectionLimits: { ...LIMITS, ...limits },
    plugins: [
      async (instance) => {
        instance.post('/api/test/echo', async (request) => ({ got: request.body }));
        instance.post('/api/test/slow-answer', async () => {
          await new Promise((r) => setTimeout(r, 2000));
          return { ok: true };
        });
        instance.get('/api/test/large', async (_request, reply) => reply.type('text/plain').send('x'.repeat(LARGE_ANSWER_BYTES)));
        await instance.register(websocket);
        instance.get('/ws-test', { websocket: true }, (socket) => {
          socket.on('message', (data) => socket.send(data.toString()));
        });
      },
    ],
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  return (app.server.address() as AddressInfo).port;
}

/** How many connections the server holds open. */
function openConnections(): Promise<number> {
  return new Promise<number>((resolve, reject) => app!.server.getConnections((error, count) => (error ? reject(error) : resolve(count))));
}

/** A raw connection; resolves with what the server wrote and how long it took once the server closes it. */
function rawConnection(port: number, onOpen: (socket: Socket) => void): Promise<{ text: string; ms: number }> {
  return new Promise((resolve) => {
    const started = Date.now();
    let text = '';
    const socket = connect(port, '127.0.0.1', () => onOpen(socket));
    sockets.push(socket);
    socket.on('data', (chunk) => (text += chunk.toString()));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve({ text, ms: Date.now() - started }));
  });
}

describe('server - request time limit', () => {
  it('has production defaults that fit an 8 MiB batch at about 1.1 Mbit/s', () => {
    expect(DEFAULT_CONNECTION_LIMITS.requestTimeoutMs).toBe(60_000);
    expect(((8 * 1024 * 1024 * 8) / (DEFAULT_CONNECTION_LIMITS.requestTimeoutMs / 1000) / 1e6).toFixed(1)).toBe('1.1');
    expect(DEFAULT_CONNECTION_LIMITS.headersTimeoutMs).toBeLessThanOrEqual(DEFAULT_CONNECTION_LIMITS.requestTimeoutMs);
  });

  it('cuts a body trickled a byte at a time with 408 within the limit', async () => {
    const port = await listening({});
    let timer: NodeJS.Timeout | undefined;
    const answer = await rawConnection(port, (socket) => {
      socket.write('POST /api/test/echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 60000\r\n\r\n');
      timer = setInterval(() => socket.write(' '), 200);
    });
    clearInterval(timer);
    expect(answer.text).toMatch(/^HTTP\/1\.1 408 /);
    // in the shape of every other error, saying what to do
    const body = JSON.parse(answer.text.slice(answer.text.indexOf('\r\n\r\n') + 4)) as { error: { code: string; message: string } };
    expect(body.error).toMatchObject({ code: 'RS_ERR_REQUEST_TIMEOUT', message: expect.stringMatching(/did not arrive whole within 1 s/) });
    expect(answer.text).toMatch(/\r\nx-content-type-options: nosniff\r\n/i);
    expect(answer.ms).toBeGreaterThanOrEqual(900);
    // Cut by this limit, not by a later one (the trickle alone would last 200 minutes); the margin is
    // for a loaded host, where the server's check runs late.
    expect(answer.ms).toBeLessThan(LIMITS.requestTimeoutMs * 10);
  });

  it('answers headers larger than Node takes with 431 in the shape of every other error', async () => {
    const port = await listening({});
    const answer = await rawConnection(port, (socket) => socket.write(`GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'x'.repeat(70_000)}\r\n\r\n`));
    expect(answer.text).toMatch(/^HTTP\/1\.1 431 /);
    expect(answer.text).toContain('"code":"RS_ERR_BAD_REQUEST"');
  });

  it('does not count the time an answer takes once the request has arrived', async () => {
    const port = await listening({});
    const answer = await rawConnection(port, (socket) => socket.write('POST /api/test/slow-answer HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}'));
    expect(answer.text).toMatch(/^HTTP\/1\.1 200 /);
    expect(answer.ms).toBeGreaterThanOrEqual(1900);
  });

  it('leaves an upgraded WebSocket open past the limit', async () => {
    const port = await listening({});
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws-test`);
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    await new Promise((r) => setTimeout(r, LIMITS.requestTimeoutMs * 2 + LIMITS.checkIntervalMs * 2));
    const echoed = new Promise<string>((resolve) => ws.once('message', (data) => resolve(data.toString())));
    ws.send('still here');
    expect(await echoed).toBe('still here');
    ws.terminate();
  });
});

describe('server - idle connections', () => {
  it('has a production default longer than any handler takes', () => {
    expect(DEFAULT_CONNECTION_LIMITS.idleTimeoutMs).toBe(120_000);
  });

  it('destroys a connection whose client stops reading its answer', async () => {
    // Long enough that the connection is surely still open at the first look below, on a loaded host too.
    const port = await listening({ idleTimeoutMs: 2000 });
    const socket = connect(port, '127.0.0.1');
    sockets.push(socket);
    socket.on('error', () => undefined);
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write('GET /api/test/large HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    socket.pause();
    await new Promise((r) => setTimeout(r, 300));
    expect(await openConnections()).toBe(1);
    const started = Date.now();
    while ((await openConnections()) > 0 && Date.now() - started < 15_000) await new Promise((r) => setTimeout(r, 100));
    expect(await openConnections()).toBe(0);
  });

  it('leaves a quiet WebSocket open past the idle time', async () => {
    const port = await listening({ idleTimeoutMs: 500 });
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws-test`);
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    await new Promise((r) => setTimeout(r, 1500));
    const echoed = new Promise<string>((resolve) => ws.once('message', (data) => resolve(data.toString())));
    ws.send('still here');
    expect(await echoed).toBe('still here');
    ws.terminate();
  });
});

describe('server - connection cap', () => {
  it('closes connections beyond the cap as they arrive, and logs it', async () => {
    const port = await listening({ maxConnections: 3, requestTimeoutMs: 10_000, headersTimeoutMs: 10_000 });
    const held = [0, 1, 2].map(() => rawConnection(port, (socket) => socket.write('POST /api/test/echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 10\r\n\r\n')));
    // The server must hold the three before the fourth arrives: wait for it to count them rather than
    // for a fixed pause, which a loaded host may overrun.
    await eventually(async () => ((await openConnections()) === 3 ? true : undefined), 10_000, 'the three connections held');
    const refused = await rawConnection(port, (socket) => socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'));
    expect(refused.text).toBe('');
    // closed as it arrived, not after the 10 s time limits
    expect(refused.ms).toBeLessThan(5000);
    expect(logLines.some((line) => line.includes('connection refused: too many open connections'))).toBe(true);
    // the three held are still open
    expect(sockets.slice(0, 3).every((s) => !s.destroyed)).toBe(true);
    for (const s of sockets) s.destroy();
    await Promise.all(held);
  });
});
