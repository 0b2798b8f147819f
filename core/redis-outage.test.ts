// The Redis client when the server goes away, against a real redis-server of the test's own:
// commands fail at once (they waited ≈ 30 s in ioredis's offline queue before), the failure reads
// as "Redis unavailable", closing does not wait, and the client comes back with the server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NATS_URL, eventually } from '../test/harness.js';
import { startPrivateRedis, type PrivateServer } from '../test/private-servers.js';
import { Writable } from 'node:stream';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { createLogger } from './log.js';
import { closeRedis, connectRedis, isRedisUnavailable, redisUnavailableMessage, watchRedisState } from './redis.js';

let server: PrivateServer;

beforeAll(async () => {
  server = await startPrivateRedis();
});

afterAll(async () => {
  await server?.cleanup();
});

describe('redis - when the server goes away', () => {
  it('fails commands at once while it is away, and works again once it is back', async () => {
    const redis = await connectRedis(server.url, 'test-redis-outage');
    try {
      await redis.set('k', 'v');
      await server.stop();
      await eventually(() => (redis.status !== 'ready' ? true : undefined), 5000, 'the client to notice');
      const started = Date.now();
      const error = await redis.get('k').then(
        () => null,
        (e: unknown) => e,
      );
      const waited = Date.now() - started;
      expect(error).toBeInstanceOf(Error);
      expect(isRedisUnavailable(error)).toBe(true);
      // Not waiting for reconnection attempts: milliseconds, where the offline queue held it ≈ 30 s.
      expect(waited).toBeLessThan(2000);

      await server.start();
      await eventually(async () => ((await redis.ping().catch(() => null)) === 'PONG' ? true : undefined), 10_000, 'the client to reconnect');
      await redis.set('k', 'again');
      expect(await redis.get('k')).toBe('again');
    } finally {
      await closeRedis(redis);
    }
  });

  it('closes at once while the server is away, and stops trying to reconnect', async () => {
    const redis = await connectRedis(server.url, 'test-redis-outage-close');
    await server.stop();
    try {
      await eventually(() => (redis.status !== 'ready' ? true : undefined), 5000, 'the client to notice');
      // QUIT here would fail only after its retries; closeRedis drops the connection instead.
      await closeRedis(redis);
    } finally {
      await server.start();
    }
    // Its reconnection attempts come every 2 s at most: none is made after closing.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(redis.status).not.toBe('ready');
  });

  it('tells an unreachable Redis from a refused command', async () => {
    const redis = await connectRedis(server.url, 'test-redis-outage-refused');
    try {
      const refused = await redis.call('NO-SUCH-COMMAND').catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(Error);
      expect(isRedisUnavailable(refused)).toBe(false);
      expect(isRedisUnavailable(new Error('Command timed out'))).toBe(true);
      expect(isRedisUnavailable('Connection is closed.')).toBe(false);
    } finally {
      await closeRedis(redis);
    }
  });

  it('logs once that the connection was lost and once that it is back', async () => {
    const lines: Array<{ level: number; msg: string; redis?: string }> = [];
    const sink = new Writable({ write: (chunk: Buffer, _enc, done) => (lines.push(JSON.parse(chunk.toString())), done()) });
    const redis = await connectRedis(server.url, 'test-redis-outage-log', createLogger('info', 'test', sink, 'json'));
    let stopped = false;
    try {
      await server.stop();
      stopped = true;
      await eventually(() => (lines.some((l) => l.msg.startsWith('lost the connection to Redis')) ? true : undefined), 5000, 'the lost line');
      // its reconnection attempts fail every 2 s at most: still one line
      await new Promise((resolve) => setTimeout(resolve, 2500));
      await server.start();
      stopped = false;
      await eventually(() => (lines.some((l) => l.msg === 'connected to Redis again') ? true : undefined), 10_000, 'the back line');
      expect(lines.map((l) => [l.level, l.msg.split(';')[0]])).toEqual([
        [40, 'lost the connection to Redis'],
        [30, 'connected to Redis again'],
      ]);
      expect(lines[0]!.redis).toBe(server.url);
    } finally {
      await closeRedis(redis);
      if (stopped) await server.start();
    }
  });

  it('says at start when the namespace ran before and Redis no longer holds its state (flushed while riskstream was stopped)', async () => {
    const lines: Array<{ level: number; msg: string }> = [];
    const sink = new Writable({ write: (chunk: Buffer, _enc, done) => (lines.push(JSON.parse(chunk.toString())), done()) });
    const redis = await connectRedis(server.url, 'test-redis-state-start');
    let lost = 0;
    const stop = watchRedisState(redis, server.url, 'tstart:', createLogger('info', 'test', sink, 'json'), () => lost++, 60_000, async () => true);
    try {
      await eventually(() => (lost > 0 ? true : undefined), 5000, 'the loss noticed at start');
      expect(lines.filter((l) => l.level === 50).map((l) => l.msg.split(':')[0])).toEqual([
        "Redis has lost riskstream's state (restarted without persistence, flushed, or evicting, while riskstream was stopped)",
      ]);
      expect(await redis.exists('tstart:state')).toBe(1);
    } finally {
      stop();
      await redis.del('tstart:state');
      await closeRedis(redis);
    }
  });

  it('says when Redis comes back without the namespace\'s state, once, and marks it again', async () => {
    const lines: Array<{ level: number; msg: string }> = [];
    const sink = new Writable({ write: (chunk: Buffer, _enc, done) => (lines.push(JSON.parse(chunk.toString())), done()) });
    const redis = await connectRedis(server.url, 'test-redis-state');
    let lost = 0;
    const stop = watchRedisState(redis, server.url, 'tstate:', createLogger('info', 'test', sink, 'json'), () => lost++, 200);
    let stopped = false;
    try {
      await eventually(async () => ((await redis.exists('tstate:state')) === 1 ? true : undefined), 5000, 'the marker');
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(lost).toBe(0); // a first start is not a loss
      await server.stop(); // no persistence: it comes back empty
      stopped = true;
      await server.start();
      stopped = false;
      await eventually(() => (lost > 0 ? true : undefined), 10_000, 'the loss noticed');
      await new Promise((resolve) => setTimeout(resolve, 600));
      expect(lost).toBe(1);
      expect(lines.filter((l) => l.level === 50).map((l) => l.msg.split(':')[0])).toEqual(["Redis has lost riskstream's state (restarted without persistence, flushed, or evicting)"]);
      expect(await redis.exists('tstate:state')).toBe(1);
    } finally {
      stop();
      await closeRedis(redis);
      if (stopped) await server.start();
    }
  });

  it('tells refused credentials from an unreachable server in what /healthz says', () => {
    const url = 'redis://:s3cret@127.0.0.1:6399';
    expect(redisUnavailableMessage(undefined, url, new Error('connect ECONNREFUSED 127.0.0.1:6399'))).toBe(
      'Redis is not reachable at redis://:***@127.0.0.1:6399 (connect ECONNREFUSED 127.0.0.1:6399). Start it with `redis-server` (for example: redis-server --daemonize yes --bind 127.0.0.1 --port 6399 --save "" --appendonly no), or point REDIS_URL at a running server.',
    );
    expect(redisUnavailableMessage(undefined, url, new Error('WRONGPASS invalid username-password pair'))).toMatch(/^Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:6399 refuses riskstream's credentials \(WRONGPASS .*\)\. Check the user name and password in REDIS_URL\.$/);
  });

  it('closes within a second when the server hangs (stopped, not gone) instead of waiting out QUIT', async () => {
    const redis = await connectRedis(server.url, 'test-redis-hung');
    server.pause();
    try {
      const started = Date.now();
      await closeRedis(redis);
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      server.resume();
    }
  });

  it('names REDIS_URL when it cannot be read, and says when what answers is not Redis', async () => {
    await expect(connectRedis('redis://:s3cret@127.0.0.1:notaport', 'test-bad-url')).rejects.toThrow(/^REDIS_URL redis:\/\/\*\*\*@127\.0\.0\.1:notaport cannot be read/);
    await expect(connectRedis('redis://:s3cret@127.0.0.1:notaport', 'test-bad-url')).rejects.not.toThrow(/s3cret/);
    // the NATS every test uses speaks another protocol
    await expect(connectRedis(NATS_URL.replace('nats://', 'redis://'), 'test-not-redis')).rejects.toThrow(/is not Redis .*check the host and port in REDIS_URL/);
  });

  it('says what answers is not Redis when it closes on the first command before its greeting is read', async () => {
    // as NATS does under load: it greets a moment after the connection opens, and closes on a command it does not know
    const sockets: Socket[] = [];
    const foreign = createServer((socket) => {
      sockets.push(socket);
      const greet = setTimeout(() => socket.write('INFO {"server_id":"x"}\r\n'), 150);
      socket.on('data', () => {
        clearTimeout(greet);
        socket.destroy();
      });
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => foreign.listen(0, '127.0.0.1', resolve));
    const { port } = foreign.address() as AddressInfo;
    try {
      const error = await connectRedis(`redis://127.0.0.1:${port}`, 'test-greets-late').catch((e: unknown) => e as Error);
      expect((error as Error).message).toMatch(/is not Redis \(it does not speak Redis's protocol: it speaks first: "INFO \{.*check the host and port in REDIS_URL/);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => foreign.close(resolve));
    }
  });

  it('says why it could not connect, and what to do about it', async () => {
    const stopped = await startPrivateRedis();
    const url = stopped.url;
    await stopped.cleanup();
    const refused = await connectRedis(url, 'test-redis-refused').catch((e: unknown) => e as Error);
    expect((refused as Error).message).toMatch(/Redis is not reachable at redis:\/\/127\.0\.0\.1:\d+ \(connect ECONNREFUSED .*\)\. Start it with `redis-server`/);

    const wrongUser = server.url.replace('redis://', 'redis://nobody:wrong-password@');
    const denied = await connectRedis(wrongUser, 'test-redis-denied').catch((e: unknown) => e as Error);
    expect((denied as Error).message).toMatch(/\(WRONGPASS .*\)\. Check the user name and password in REDIS_URL\./);
    expect((denied as Error).message).not.toContain('wrong-password');
  });
});
