// A NATS server older than riskstream's consumer API needs is refused at connect, by name and with
// what to do. The old server here is a stand-in that speaks just enough of the protocol (INFO,
// then PONG to the client's PING) to announce its version: the check runs on the real client path.
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { names } from './names.js';
import { NATS_URL } from '../test/harness.js';
import { connectBus, natsVersionProblem } from './bus.js';

/** A server that introduces itself as nats-server `version` and answers pings. */
async function oldNats(version: string): Promise<{ url: string; server: Server; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.write(`INFO ${JSON.stringify({ server_id: 'OLD', server_name: 'old', version, proto: 1, host: '127.0.0.1', port: 0, max_payload: 1048576, headers: true })}\r\n`);
    socket.on('data', (chunk) => {
      if (chunk.toString().includes('PING')) socket.write('PONG\r\n');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { url: `nats://127.0.0.1:${port}`, server, sockets };
}

describe('nats server check', () => {
  let old: Awaited<ReturnType<typeof oldNats>> | undefined;
  afterEach(async () => {
    for (const socket of old?.sockets ?? []) socket.destroy();
    await new Promise((resolve) => (old ? old.server.close(resolve) : resolve(undefined)));
    old = undefined;
  });

  it('takes the shared server (2.9 here)', async () => {
    const bus = await connectBus(NATS_URL, names('t_natscheck'), 'test-nats-server-check');
    expect(natsVersionProblem(bus.nc.info?.version, NATS_URL)).toBeNull();
    await bus.nc.close();
  });

  it('refuses a server older than 2.9, naming its version and what to do', async () => {
    old = await oldNats('2.8.4');
    await expect(connectBus(old.url, names('t_natscheck'), 'test-nats-old')).rejects.toThrow(
      `NATS at ${old.url} is nats-server 2.8.4; riskstream needs 2.9 or later (its JetStream consumer API): upgrade nats-server or point NATS_URL at a newer one`,
    );
  });

  it('compares versions by number, keeps credentials out, and says nothing of a version it cannot read', () => {
    const url = 'nats://app:s3cret@10.0.0.5:4222';
    expect(natsVersionProblem('2.10.0', url)).toBeNull(); // 10 > 9 as numbers, not as text
    expect(natsVersionProblem('2.9.0', url)).toBeNull();
    expect(natsVersionProblem('3.0.0-beta.1', url)).toBeNull();
    expect(natsVersionProblem('1.4.1', url)).toContain('NATS at nats://app:***@10.0.0.5:4222 is nats-server 1.4.1;');
    expect(natsVersionProblem(undefined, url)).toBeNull();
    expect(natsVersionProblem('', url)).toBeNull();
  });
});
