// The hub and decision envelopes: a client watching an account gets the decisions of that account
// out of an envelope, one account message per matching line. Real fastify on a port, real NATS,
// a real `ws` client; the session lookup is a stand-in, as in hub.test.ts.
import Fastify, { type FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { HEADER_BATCH, createLogger, createMetrics, encodeEnvelope, messageHeaders, type DecisionWire } from '../../../core/index.js';
import { createHarness, eventually, type Harness } from '../../../test/harness.js';
import type { ServerMessage, SessionUser } from '../protocol.js';
import { decisionFixture } from './test-fixtures.js';
import { createHub, hubPlugin } from './index.js';

const CORA: SessionUser = { username: 'cora', displayName: 'cora', roles: ['compliance_officer'], totpEnabled: false, locale: 'en' };

let h: Harness;
let app: FastifyInstance;
let url: string;
let ws: WebSocket;
const received: ServerMessage[] = [];

beforeAll(async () => {
  h = await createHarness();
  const logger = createLogger('silent');
  const metrics = createMetrics();
  const hub = createHub({ bus: h.bus, logger, metrics });
  app = Fastify({ logger: false });
  await app.register(hubPlugin, { bus: h.bus, authenticate: async () => CORA, logger, metrics, hub });
  await app.listen({ host: '127.0.0.1', port: 0 });
  url = `ws://127.0.0.1:${(app.server.address() as AddressInfo).port}/ws`;
  ws = new WebSocket(url);
  ws.on('message', (data) => received.push(JSON.parse(data.toString()) as ServerMessage));
  ws.on('error', () => undefined);
  await eventually(() => (received.some((m) => m.type === 'hello') ? true : undefined), 5000, 'hello');
});

afterAll(async () => {
  ws?.terminate();
  await app?.close();
  await h?.cleanup();
});

const decision = decisionFixture;

const accountMessages = () => received.filter((m): m is Extract<ServerMessage, { type: 'account' }> => m.type === 'account');

describe('hub - decision envelopes', () => {
  it('hub - forwards the lines of a decision envelope that concern a watched account, and only those', async () => {
    ws.send(JSON.stringify({ type: 'subscribe', topic: 'account', accountId: 'ACC-W' }));
    await eventually(() => (received.some((m) => m.type === 'subscribed' && m.topic === 'account') ? true : undefined), 5000, 'subscribed');

    const mine = decision({ accountId: 'ACC-W', score: 777 });
    const theirs = decision({ counterpartyId: 'ACC-W' });
    // Names the account only inside a reason's text: the envelope passes the cheap text check, this line must not.
    const other = decision({ accountId: 'ACC-X', reasons: [{ code: 'X', scorer: 's', points: 1, text: 'mentions "accountId":"ACC-W" in text' }] });
    const unrelated = decision({ accountId: 'ACC-Y' });
    const headers = messageHeaders();
    headers.set(HEADER_BATCH, '4');
    await h.bus.js.publish(h.names.decisionSubject('payment'), encodeEnvelope([other, mine, unrelated, theirs].map((d) => JSON.stringify(d))), { headers });
    // An envelope that names nobody watched, then a single decision as a marker: the hub handles
    // decisions in order, so once the marker is here everything before it has been routed.
    const quiet = messageHeaders();
    quiet.set(HEADER_BATCH, '2');
    await h.bus.js.publish(h.names.decisionSubject('payment'), encodeEnvelope([decision(), decision()].map((d) => JSON.stringify(d))), { headers: quiet });
    const marker = decision({ accountId: 'ACC-W' });
    await h.bus.js.publish(h.names.decisionSubject('payment'), JSON.stringify(marker));
    await eventually(() => (accountMessages().some((m) => m.decision.eventId === marker.eventId) ? true : undefined), 5000, 'the marker decision');

    const got = accountMessages();
    expect(got.map((m) => [m.accountId, m.decision.eventId])).toEqual([
      ['ACC-W', mine.eventId],
      ['ACC-W', theirs.eventId],
      ['ACC-W', marker.eventId],
    ]);
    expect(got[0]!.decision).toMatchObject({ accountId: 'ACC-W', score: 777 });
    expect(got[0]!.decision).not.toHaveProperty('features');
  });
});
