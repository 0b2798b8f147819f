// The socket sink under a real ws connection: a burst of frames leaves in one system call, frames
// built once arrive whole at every size, the bytes held by the cork do not make a healthy client
// look backlogged, and a client that reads again gets what waited for it.
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { DEFAULT_OUTBOX_LIMITS } from './client-outbox.js';
import { HubClient, textFrameOf } from './hub-client.js';

let server: WebSocketServer;
let url: string;

beforeAll(async () => {
  server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

async function connect(limits = DEFAULT_OUTBOX_LIMITS): Promise<{ hubClient: HubClient; client: WebSocket; received: string[]; writes: () => number }> {
  const accepted = new Promise<WebSocket>((resolve) => server.once('connection', resolve));
  const client = new WebSocket(url);
  const received: string[] = [];
  client.on('message', (data) => received.push(String(data)));
  await new Promise<void>((resolve) => client.once('open', () => resolve()));
  const socket = await accepted;
  // Count what reaches the TCP socket's write calls (one per system call: write or writev).
  const raw = (socket as unknown as { _socket: { _write: (...a: unknown[]) => unknown; _writev: (...a: unknown[]) => unknown } })._socket;
  let calls = 0;
  for (const name of ['_write', '_writev'] as const) {
    const original = raw[name].bind(raw);
    raw[name] = (...args: unknown[]) => {
      calls++;
      return original(...args);
    };
  }
  const observer = { sent: () => undefined, dropped: () => undefined };
  const hubClient = new HubClient(1, { username: 'u', displayName: 'u', roles: ['risk_monitor'], totpEnabled: false, locale: 'en' }, socket, limits, observer, () => Buffer.from('{}'), Date.now());
  return { hubClient, client, received, writes: () => calls };
}

describe('hub client socket sink', () => {
  it('sends a burst of frames written in one task with one write call, and each arrives', async () => {
    const { hubClient, client, received, writes } = await connect();
    try {
      for (let i = 0; i < 200; i++) {
        expect(hubClient.outbox.droppable('alerts', Buffer.from(JSON.stringify({ type: 'alert', n: i })), 'alert', Date.now())).toBe('written');
      }
      await new Promise((r) => setImmediate(r));
      expect(writes()).toBe(1);
      await new Promise<void>((resolve, reject) => {
        const deadline = setTimeout(() => reject(new Error(`only ${received.length} of 200 frames arrived`)), 5000);
        const check = setInterval(() => {
          if (received.length === 200) {
            clearTimeout(deadline);
            clearInterval(check);
            resolve();
          }
        }, 5);
      });
      expect(received.map((m) => (JSON.parse(m) as { n: number }).n)).toEqual(Array.from({ length: 200 }, (_, i) => i));
      // The next task's frames go out on their own.
      hubClient.outbox.droppable('alerts', Buffer.from('{"type":"alert","n":200}'), 'alert', Date.now());
      await new Promise((r) => setImmediate(r));
      expect(writes()).toBe(2);
    } finally {
      client.close();
    }
  });

  it('does not count a burst held by the cork as backlog, up to a limit; a larger burst starts queueing', async () => {
    const { hubClient, client } = await connect();
    try {
      const frame = Buffer.alloc(64 * 1024, 'x');
      // 12 × 64 KiB in one task: over the 256 KiB buffer limit, within what a burst may take uncounted.
      for (let i = 0; i < 12; i++) expect(hubClient.outbox.droppable('alerts', frame, 'alert', Date.now())).toBe('written');
      // Beyond 1 MiB in the same task the bytes count, and the outbox holds the rest back.
      const results = Array.from({ length: 12 }, () => hubClient.outbox.droppable('alerts', frame, 'alert', Date.now()));
      expect(results).toContain('queued');
      expect(hubClient.outbox.backlogged).toBe(true);
    } finally {
      client.close();
    }
  });

  it('frames a message once for every client, and it arrives whole at every length a frame header can carry', async () => {
    const one = await connect();
    const two = await connect();
    try {
      // Lengths on both sides of 126 and 65,536 bytes, where the header grows to 4 and 10 bytes.
      const payloads = [10, 125, 126, 65_535, 65_536, 200_000].map((n) => Buffer.from('x'.repeat(n)));
      for (const payload of payloads) {
        expect(textFrameOf(payload)).toBe(textFrameOf(payload)); // the same bytes for every client
        one.hubClient.outbox.droppable('alerts', payload, 'alert', Date.now());
        two.hubClient.outbox.droppable('alerts', payload, 'alert', Date.now());
      }
      await waitFor(() => one.received.length === payloads.length && two.received.length === payloads.length, 'every frame at both clients');
      expect(one.received).toEqual(payloads.map(String));
      expect(two.received).toEqual(payloads.map(String));
    } finally {
      one.client.close();
      two.client.close();
    }
  });

  it('sends what waited for a client that stopped reading once it reads again, as its writes complete (no sweep)', async () => {
    const limits = { ...DEFAULT_OUTBOX_LIMITS, bufferLimitBytes: 64 * 1024, queueCap: 10_000 };
    const { hubClient, client, received } = await connect(limits);
    const clientSocket = (client as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    try {
      clientSocket.pause();
      const frame = Buffer.from(JSON.stringify({ type: 'alert', pad: 'x'.repeat(16 * 1024) }));
      let queued = 0;
      let given = 0;
      // Over several tasks, until the kernel's buffers are full and the outbox holds messages back.
      for (let round = 0; round < 200 && queued === 0; round++) {
        for (let i = 0; i < 20; i++, given++) if (hubClient.outbox.droppable('alerts', frame, 'alert', Date.now()) === 'queued') queued++;
        await new Promise((r) => setTimeout(r, 5));
      }
      expect(queued).toBeGreaterThan(0);
      expect(hubClient.outbox.backlogged).toBe(true);
      clientSocket.resume();
      await waitFor(() => received.length === given, `all ${given} messages at the client`);
      expect(hubClient.outbox.backlogged).toBe(false);
      expect(hubClient.outbox.droppedTotal).toBe(0);
    } finally {
      client.close();
    }
  });
});

async function waitFor(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

