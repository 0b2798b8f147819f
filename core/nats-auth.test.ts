// A NATS that asks for credentials: they travel in NATS_URL (user:password@ or token@), are handed to
// the client as options (it ignores them in a server URL), and a refusal says what to do.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrivateNats, type PrivateServer } from '../test/private-servers.js';
import { connectBus, natsServersOf } from './bus.js';
import { names as namesOf } from './names.js';

describe('NATS credentials - reading NATS_URL', () => {
  it.each([
    ['nats://127.0.0.1:4222', { servers: ['nats://127.0.0.1:4222'] }],
    ['nats://rs:p%40ss@127.0.0.1:4222', { servers: ['nats://127.0.0.1:4222'], user: 'rs', pass: 'p@ss' }],
    ['nats://s3cr3t@10.0.0.1:4222,nats://10.0.0.2:4222', { servers: ['nats://10.0.0.1:4222', 'nats://10.0.0.2:4222'], token: 's3cr3t' }],
    ['rs:pw@127.0.0.1:4222', { servers: ['127.0.0.1:4222'], user: 'rs', pass: 'pw' }],
    // a bare % is not percent-encoding: the password as written
    ['nats://rs:100%@127.0.0.1:4222', { servers: ['nats://127.0.0.1:4222'], user: 'rs', pass: '100%' }],
  ])('%s', (url, expected) => {
    expect(natsServersOf(url)).toEqual(expected);
  });
});

describe('NATS credentials - a server that asks for them', () => {
  let server: PrivateServer;
  beforeAll(async () => {
    server = await startPrivateNats({ auth: { user: 'rsuser', pass: 'natssecret99' } });
  });
  afterAll(async () => {
    await server?.cleanup();
  });

  it('connects with the user and password in NATS_URL, and says what to do when they are missing', async () => {
    const withCredentials = server.url.replace('nats://', 'nats://rsuser:natssecret99@');
    const bus = await connectBus(withCredentials, namesOf('tauth'), 'test-nats-auth');
    await bus.nc.close();
    const refused = connectBus(server.url, namesOf('tauth'), 'test-nats-auth');
    await expect(refused).rejects.toThrow(/refused riskstream's credentials .*put them in NATS_URL, as nats:\/\/user:password@host:4222/);
    await expect(connectBus(withCredentials.replace('natssecret99', 'wrong'), namesOf('tauth'))).rejects.not.toThrow(/natssecret99|wrong@/);
  });
});
