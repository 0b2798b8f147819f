// Test doubles for the web app's component tests: a REST API answering from a table, alerts made
// to order, and a LiveConnection driven by a fake socket.
import type { KpiTick } from '../../../server/protocol.js';
import type { Api, Query } from '../api/http.js';
import type { AlertWire } from '../api/wire.js';
import { LiveConnection, type SocketLike } from '../live/live-connection.js';

export type Route = (query: Query | undefined, body: unknown) => unknown;

/** Answers GET/POST by path; records every call. An answer that is an Error is thrown. */
export class FakeApi implements Api {
  readonly calls: Array<{ method: string; path: string; query?: Query; body?: unknown }> = [];
  readonly routes = new Map<string, Route>();

  on(method: 'GET' | 'POST', path: string, route: Route): this {
    this.routes.set(`${method} ${path}`, route);
    return this;
  }

  get<T>(path: string, query?: Query): Promise<T> {
    return this._answer<T>('GET', path, query, undefined);
  }

  post<T>(path: string, body?: unknown): Promise<T> {
    return this._answer<T>('POST', path, undefined, body);
  }

  private async _answer<T>(method: string, path: string, query: Query | undefined, body: unknown): Promise<T> {
    this.calls.push({ method, path, ...(query === undefined ? {} : { query }), ...(body === undefined ? {} : { body }) });
    const route = this.routes.get(`${method} ${path}`);
    if (route === undefined) throw new Error(`no fake route ${method} ${path}`);
    const answer = route(query, body);
    if (answer instanceof Error) throw answer;
    return answer as T;
  }
}

let sequence = 0;
export function makeAlert(overrides: Partial<AlertWire> = {}): AlertWire {
  sequence += 1;
  return {
    v: 1,
    id: `al-${sequence}`,
    eventId: `ev-${sequence}`,
    eventKind: 'payment',
    ts: 1_700_000_000_000 + sequence,
    createdAt: 1_700_000_000_000 + sequence,
    domain: 'fraud',
    typology: 'card_testing',
    severity: 'high',
    score: 870,
    accountId: `acc-${sequence % 50}`,
    customerId: `cus-${sequence % 50}`,
    segment: 'standard',
    amountMinor: 125_000,
    currency: 'USD',
    reasons: [],
    ...overrides,
  };
}

/** A WebSocket stand-in: records what was sent; the test opens, closes and pushes messages. */
export class FakeSocket implements SocketLike {
  static readonly all: FakeSocket[] = [];
  readyState = 0;
  readonly url: string;
  readonly sent: unknown[] = [];
  closedWith: number | null = null;
  onopen: ((event: Event) => void) | null = null;
  onmessage: ((event: MessageEvent) => void) | null = null;
  onclose: ((event: CloseEvent) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;

  constructor(url: string) {
    this.url = url;
    FakeSocket.all.push(this);
  }

  send(data: string): void {
    this.sent.push(JSON.parse(data));
  }

  close(code = 1000): void {
    this.closedWith = code;
    this.serverClose(code);
  }

  open(): void {
    this.readyState = 1;
    this.onopen?.(new Event('open'));
  }

  push(message: unknown): void {
    this.onmessage?.({ data: JSON.stringify(message) } as MessageEvent);
  }

  serverClose(code = 1006): void {
    this.readyState = 3;
    this.onclose?.({ code } as CloseEvent);
  }
}

/** Timers the test advances by hand. */
export class ManualTimers {
  now = 0;
  private _next = 1;
  readonly pending = new Map<number, { at: number; callback: () => void; ms: number }>();

  setTimeout = (callback: () => void, ms: number): unknown => {
    const id = this._next++;
    this.pending.set(id, { at: this.now + ms, callback, ms });
    return id;
  };

  clearTimeout = (handle: unknown): void => {
    this.pending.delete(handle as number);
  };

  /** Delays of the timers now waiting, in order of creation. */
  delays(): number[] {
    return [...this.pending.values()].map((t) => t.ms);
  }

  advance(ms: number): void {
    const until = this.now + ms;
    for (;;) {
      const due = [...this.pending.entries()].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
      if (due === undefined) break;
      this.pending.delete(due[0]);
      this.now = due[1].at;
      due[1].callback();
    }
    this.now = until;
  }
}

/** A LiveConnection over fake sockets and manual timers, already connected. */
export function connectedLive(options: { catchUp?: ConstructorParameters<typeof LiveConnection>[0]['catchUp']; version?: ConstructorParameters<typeof LiveConnection>[0]['version'] } = {}) {
  const timers = new ManualTimers();
  const sockets: FakeSocket[] = [];
  const live = new LiveConnection({
    url: 'ws://test/ws',
    createSocket: (url) => {
      const socket = new FakeSocket(url);
      sockets.push(socket);
      return socket;
    },
    timers,
    random: () => 1,
    ...(options.catchUp === undefined ? {} : { catchUp: options.catchUp }),
    ...(options.version === undefined ? {} : { version: options.version }),
  });
  live.useClock(() => timers.now);
  live.start();
  sockets[0]!.open();
  return { live, timers, sockets, socket: () => sockets[sockets.length - 1]! };
}

export async function settle(element: { updateComplete: Promise<unknown> }, rounds = 3): Promise<void> {
  for (let i = 0; i < rounds; i += 1) {
    await element.updateComplete;
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
}

/** A busy second of KPIs, with overrides. */
export function makeTick(at: number, overrides: Partial<KpiTick> = {}): KpiTick {
  return {
    at,
    since: at - 3_600_000,
    decisionsPerSecond: 12345,
    latencyP50Ms: 3.2,
    latencyP99Ms: 18.4,
    byAction: { allow: 12000, review: 300, block: 45 },
    alertsPerMinute: 1520,
    fraudRate: 0.0123,
    decidedUsdLastMinute: '98765432.10',
    blockedUsdLastMinute: '1234567.89',
    scores: Array.from({ length: 20 }, (_, i) => 1000 - i * 40),
    alertsByTypology: { structuring: 12, card_testing: 40 },
    alertsByDomain: { fraud: 40, aml: 12 },
    corridors: [{ from: 'GB', to: 'NG', count: 120, amountUsd: '450000.00', alerts: 6 }],
    byKind: {},
    processors: 2,
    ...overrides,
  };
}
