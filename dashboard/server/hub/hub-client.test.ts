// The socket sink under a real ws connection: a burst of frames leaves in one system call, and the
// bytes held by the cork do not make a healthy client look backlogged.
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { DEFAULT_OUTBOX_LIMITS } from './client-outbox.js';
import { HubClient } from './hub-client.js';

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

async function connect(): Promise<{ hubClient: HubClient; client: WebSocket; received: string[]; writes: () => number }> {
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
  const hubClient = new HubClient(1, { username: 'u', displayName: 'u', roles: ['risk_monitor'], totpEnabled: false, locale: 'en' }, socket, DEFAULT_OUTBOX_LIMITS, observer, () => Buffer.from('{}'), Date.now());
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
});
