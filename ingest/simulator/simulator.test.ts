import { describe, expect, it } from 'vitest';
import { validateEvent, type WireEvent } from '../../core/contracts/index.js';
import { geoSpeedKmh } from '../../processors/features/payment-features.js';
import { createSimulator, DEMO_OPENING_EVERY_MS } from './index.js';
import { loadReference } from './reference.js';
import { PATTERN_NAMES } from './scenario.js';
import { World } from './world.js';

const START = Date.parse('2026-11-29T08:00:00.000Z');
/** validateEvent refuses events more than a day ahead of "now"; judge them from the start time. */
const NOW = START + 3600_000;

function stream(seed: number, n: number, extra: Record<string, number> = {}): WireEvent[] {
  return createSimulator({ seed, startTs: START, ...extra }).take(n);
}

function customerIdsOf(event: WireEvent): string[] {
  if (event.kind === 'payment') return [event.debtor.customerId, event.creditor.customerId].filter((c): c is string => c !== undefined);
  if (event.kind === 'customer') return [];
  return event.customerId === undefined ? [] : [event.customerId];
}

describe('simulator - determinism', () => {
  it('gives the same first 5,000 events, byte for byte, for the same seed', () => {
    expect(JSON.stringify(stream(42, 5000))).toBe(JSON.stringify(stream(42, 5000)));
  });

  it('gives a different stream for a different seed', () => {
    const a = stream(42, 200).map((e) => JSON.stringify(e));
    const b = stream(43, 200).map((e) => JSON.stringify(e));
    expect(a).not.toEqual(b);
    expect(a.filter((line, i) => line === b[i]).length).toBe(0);
  });

  it('is a function of the seed, the bank size, the start and the rate: event time steers what happens, not only the timestamps', () => {
    // The README (Same seed, same stream) says so: the daily rhythm, trips and the interleaving of
    // scenario steps with everyday payments all follow event time, which the start and the rate set.
    const payers = (opts: { startTs: number; rate: number }): string[] =>
      createSimulator({ seed: 7, customers: 20_000, ...opts }).take(3000).flatMap((e) => (e.kind === 'payment' ? [e.debtor.accountId] : []));
    const base = payers({ startTs: START, rate: 500 });
    expect(payers({ startTs: START, rate: 500 })).toEqual(base);
    expect(payers({ startTs: START, rate: 50 })).not.toEqual(base);
    expect(payers({ startTs: START + 12 * 3600_000, rate: 500 })).not.toEqual(base);
  });

  it('does not depend on the wall clock when the start time is given', async () => {
    const first = JSON.stringify(stream(7, 300));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(JSON.stringify(stream(7, 300))).toBe(first);
  });
});

describe('simulator - contracts', () => {
  const events = stream(1, 20_000);

  it('makes only valid wire events (20,000 of them)', () => {
    const failures = events
      .map((e) => ({ e, result: validateEvent(e, undefined, NOW) }))
      .filter(({ result }) => !result.ok)
      .slice(0, 3);
    expect(failures.map(({ e, result }) => ({ e, errors: result.ok ? [] : result.errors }))).toEqual([]);
  });

  it('gives every event a unique id and v 1', () => {
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    expect(events.every((e) => e.v === 1)).toBe(true);
  });

  it('introduces every customer with a customer event before anything involving them', () => {
    const known = new Set<string>();
    const late: string[] = [];
    for (const e of events) {
      if (e.kind === 'customer') known.add(e.customerId);
      for (const id of customerIdsOf(e)) if (!known.has(id)) late.push(`${e.kind} ${e.id} before customer ${id}`);
    }
    expect(late.slice(0, 5)).toEqual([]);
    expect(events.slice(0, 50).filter((e) => e.kind === 'customer').length).toBeGreaterThan(10);
  });

  it('carries labels on every event; normal traffic is labelled as such', () => {
    const normal = events.filter((e) => e.labels?.patterns.length === 0);
    expect(events.every((e) => e.labels !== undefined)).toBe(true);
    expect(normal.length).toBeGreaterThan(events.length * 0.9);
    expect(normal.every((e) => e.labels?.fraud === false && e.labels.aml === false)).toBe(true);
  });

  it('mixes the payment types and kinds a bank sees', () => {
    const types = new Set(events.flatMap((e) => (e.kind === 'payment' ? [e.type] : [])));
    expect([...types].sort()).toEqual(['bill', 'card', 'cash_deposit', 'cash_withdrawal', 'cheque', 'ewallet', 'remittance', 'transfer']);
    const kinds = new Set(events.map((e) => e.kind));
    for (const kind of ['payment', 'customer', 'loan.application', 'loan.disbursement'] as const) expect(kinds).toContain(kind);
  });
});

describe('simulator - balances', () => {
  it("gives most payments from the bank's own accounts the balance before them, never less than the amount, and none to outside payers", () => {
    const events = createSimulator({ seed: 11, startTs: START, customers: 2_000 }).take(20_000);
    const own = new Set(events.filter((e) => e.kind === 'customer').map((e) => (e as { customerId: string }).customerId));
    const payments = events.filter((e): e is Extract<WireEvent, { kind: 'payment' }> => e.kind === 'payment');
    const fromOwn = payments.filter((p) => p.debtor.customerId !== undefined && own.has(p.debtor.customerId));
    const withBalance = fromOwn.filter((p) => p.debtorBalance !== undefined);
    expect(withBalance.length / fromOwn.length).toBeGreaterThan(0.5);
    expect(withBalance.length / fromOwn.length).toBeLessThan(0.7);
    for (const p of withBalance) expect(Number(p.debtorBalance)).toBeGreaterThanOrEqual(Number(p.amount));
    // Most payments take a small share of it; a few nearly all of it.
    const shares = withBalance.map((p) => Number(p.amount) / Number(p.debtorBalance));
    expect(shares.filter((s) => s < 0.5).length / shares.length).toBeGreaterThan(0.85);
    expect(payments.filter((p) => p.debtorBalance !== undefined && !(p.debtor.customerId !== undefined && own.has(p.debtor.customerId)))).toEqual([]);
  });
});

describe('simulator - balances that empty an account', () => {
  // Until 2026-12 no ordinary payment took more than 99 % of its balance and every takeover's last
  // transfer took all of it: "balance = amount" was the account_takeover label.
  const events = createSimulator({ seed: 13, startTs: START, rate: 10, customers: 5_000, patterns: ['account_takeover'], patternRate: 0.01 }).take(60_000);
  const withBalance = events.filter((e): e is Extract<WireEvent, { kind: 'payment' }> => e.kind === 'payment' && e.debtorBalance !== undefined);
  const emptied = withBalance.filter((p) => p.debtorBalance === p.amount);

  it('lets some ordinary transfers empty an account too', () => {
    const ordinary = emptied.filter((p) => p.labels?.patterns.length === 0);
    // About one transfer with a balance in 500 takes all of it: a handful in 60,000 events.
    expect(ordinary.length).toBeGreaterThanOrEqual(2);
    expect(ordinary.every((p) => p.type === 'transfer')).toBe(true);
  });

  it("has a takeover's last transfer take most of the balance when the bank shows it, not always all of it", () => {
    // Each complete scenario's last payment (a takeover lasts under an hour).
    const end = Date.parse(events.at(-1)!.ts);
    const scenarios = new Map<string, Extract<WireEvent, { kind: 'payment' }>[]>();
    for (const e of events) {
      if (e.kind !== 'payment' || e.labels?.scenarioId === undefined) continue;
      scenarios.set(e.labels.scenarioId, [...(scenarios.get(e.labels.scenarioId) ?? []), e]);
    }
    const complete = [...scenarios.values()].filter((s) => Date.parse(s[0]!.ts) < end - 3600_000);
    // the bank shows the balance on it as often as on any payment of its own accounts
    const shown = complete.filter((s) => s.at(-1)!.debtorBalance !== undefined);
    expect(shown.length / complete.length).toBeGreaterThan(0.4);
    expect(shown.length / complete.length).toBeLessThan(0.8);
    const shares = shown.map((s) => Number(s.at(-1)!.amount) / Number(s.at(-1)!.debtorBalance));
    expect(shares.length).toBeGreaterThan(12);
    expect(shares.every((share) => share >= 0.9)).toBe(true);
    expect(shares.filter((share) => share < 1).length).toBeGreaterThan(3);
  });
});

describe('simulator - remittances', () => {
  it('sends ordinary remittances to a FATF-listed country only from its nationals', () => {
    // Until 2026-12, 467 of 514 such remittances came from customers with no tie to VN or KE.
    const listed = new Set(loadReference().fatf.map((f) => f.country));
    const events = createSimulator({ seed: 15, startTs: START, customers: 3_000, patternRate: 0, loanRate: 0 }).take(80_000);
    const nationality = new Map<string, string>();
    for (const e of events) if (e.kind === 'customer') nationality.set(e.customerId, e.nationality ?? e.country);
    const remittances = events.filter((e): e is Extract<WireEvent, { kind: 'payment' }> => e.kind === 'payment' && e.type === 'remittance');
    const toListed = remittances.filter((p) => listed.has(p.creditor.country ?? ''));
    expect(remittances.length).toBeGreaterThan(500);
    expect(toListed.length).toBeGreaterThan(0);
    expect(toListed.filter((p) => nationality.get(p.debtor.customerId ?? '') !== p.creditor.country)).toEqual([]);
  });
});

describe('simulator - event time', () => {
  it.each([
    [1000, 5000],
    [50, 2000],
  ])('at %i events/s moves event time about 1/rate per event', (rate, n) => {
    const events = createSimulator({ seed: 3, startTs: START, rate }).take(n);
    // Backdated history (customers' past before the stream) is older than the start: skip it.
    const live = events.map((e) => Date.parse(e.ts)).filter((ts) => ts >= START);
    const last = Math.max(...live);
    const expected = ((n - 1) * 1000) / rate;
    // The last few events may all be an introduced customer's backdated past.
    expect(last - START).toBeGreaterThanOrEqual(expected - (10 * 1000) / rate - 1);
    expect(last - START).toBeLessThanOrEqual(expected + 1);
  });

  it('changes its clock step with setRate', () => {
    const sim = createSimulator({ seed: 3, startTs: START, rate: 1000 });
    sim.take(1000);
    sim.setRate(10);
    const before = sim.stats().now;
    sim.take(100);
    expect(sim.stats().now - before).toBeGreaterThanOrEqual(9_900);
    expect(sim.rate).toBe(10);
  });

  it('describes its world', () => {
    const sim = createSimulator({ seed: 9, startTs: START, customers: 500 });
    expect(sim.world).toMatchObject({ seed: 9, startTs: START, customers: 500, timeScale: 1440, loanTimeScale: 43_200 });
    expect(sim.world.patterns.length).toBe(12);
  });
});

describe('simulator - options', () => {
  it.each([
    [{ rate: 0 }, /rate/],
    [{ patternRate: 2 }, /patternRate/],
    [{ timeScale: 0.5 }, /timeScale/],
    [{ customers: 3 }, /customers/],
    [{ openingEveryMs: -1 }, /openingEveryMs/],
  ])('refuses %j', (bad, message) => {
    expect(() => createSimulator({ seed: 1, startTs: START, ...bad })).toThrow(message);
  });

  it('injects only the patterns asked for', () => {
    const events = createSimulator({ seed: 2, startTs: START, patterns: ['structuring'], patternRate: 0.01, loanRate: 0 }).take(5000);
    const names = new Set(events.flatMap((e) => e.labels?.patterns ?? []));
    expect([...names]).toEqual(['structuring']);
  });
});

describe('simulator - the demo opening', () => {
  // The demo's world and rate: 50 events/s from a bank of 172,800 customers (worldSizeFor(50)).
  const demo = { seed: 42, startTs: START, rate: 50, customers: 172_800 };
  const firstMinute = 61 * 50;
  /** Pattern names by scenario, in the order the scenarios started (their ids count up). */
  const scenarioOrder = (events: readonly WireEvent[]): string[] => {
    const byId = new Map<number, string>();
    for (const e of events) {
      const id = e.labels?.scenarioId;
      if (id !== undefined) byId.set(Number(id.split('-')[1]), e.labels!.patterns[0]!);
    }
    return [...byId].sort((a, b) => a[0] - b[0]).map(([, name]) => name);
  };

  it('starts every pattern within the first minute, the fraud patterns first, one every 5 s', () => {
    const sim = createSimulator({ ...demo, openingEveryMs: DEMO_OPENING_EVERY_MS });
    const events = sim.take(firstMinute);
    expect(Object.keys(sim.stats().scenariosStarted).sort()).toEqual([...PATTERN_NAMES].sort());
    const order = scenarioOrder(events);
    expect(order[0]).toBe('card_testing');
    // Card testing at 5 s, account takeover at 10 s (a scenario the pattern rate deals may come between).
    const firstAt = (name: string): number => Date.parse(events.find((e) => e.labels?.patterns[0] === name)!.ts) - START;
    expect(Math.floor(firstAt('card_testing') / DEMO_OPENING_EVERY_MS)).toBe(1);
    expect(Math.floor(firstAt('account_takeover') / DEMO_OPENING_EVERY_MS)).toBe(2);
    // The first scenario's first event comes 5 s into the stream, not before.
    const first = events.find((e) => e.labels?.scenarioId !== undefined)!;
    expect(Date.parse(first.ts) - START).toBeGreaterThanOrEqual(DEMO_OPENING_EVERY_MS);
    expect(Date.parse(first.ts) - START).toBeLessThan(2 * DEMO_OPENING_EVERY_MS);
  });

  it('is what makes the difference: without it the first minute shows few patterns', () => {
    const sim = createSimulator(demo);
    sim.take(firstMinute);
    expect(Object.keys(sim.stats().scenariosStarted).length).toBeLessThan(6);
  });

  it('then goes on at the pattern rate, and the stream stays a function of the seed', () => {
    const a = createSimulator({ ...demo, openingEveryMs: DEMO_OPENING_EVERY_MS });
    const b = createSimulator({ ...demo, openingEveryMs: DEMO_OPENING_EVERY_MS });
    expect(JSON.stringify(a.take(6000))).toBe(JSON.stringify(b.take(6000)));
    const afterOpening = Object.values(a.stats().scenariosStarted).reduce((x, y) => x + y, 0);
    a.take(24_000);
    const started = Object.values(a.stats().scenariosStarted).reduce((x, y) => x + y, 0) - afterOpening;
    // 24,000 more events at 0.002 per event that is not an introduction: a few dozen, not one every 5 s (96).
    expect(started).toBeGreaterThan(10);
    expect(started).toBeLessThan(60);
    // 36,000 events made: 2.3 s alone, 20 s of the default 30 on a host running two suites at once
  }, 60_000);
});

/** Channels located by an address (the till's, the ATM's, the branch's), within a kilometre. */
const CARD_PRESENT: ReadonlySet<string> = new Set(['pos', 'atm', 'branch']);

describe('simulator - places', () => {
  it('keeps ordinary customers where one person could be: few consecutive card-present payments imply impossible travel', () => {
    // At a demo rate each customer pays every few seconds of event time, so their tills must be
    // near each other and near home (in 2026-12 they were drawn anywhere in the country: 27 %).
    // Only places the bank knows to the address count: app and online payments are placed from
    // their IP, which is off by tens or hundreds of km on purpose (location-error.test.ts).
    const events = createSimulator({ seed: 7, startTs: START, rate: 1500, patternRate: 0 }).take(30_000);
    const last = new Map<string, { ts: number; lat: number; lon: number }>();
    let located = 0;
    let impossible = 0;
    for (const event of events) {
      if (event.kind !== 'payment' || event.geo === undefined || !CARD_PRESENT.has(event.channel)) continue;
      const ts = Date.parse(event.ts);
      const before = last.get(event.debtor.accountId);
      if (before !== undefined && ts >= before.ts) {
        located++;
        if (geoSpeedKmh(before.ts, before.lat, before.lon, { ts, amount: 0, lat: event.geo.lat, lon: event.geo.lon }) > 1000) impossible++;
      }
      if (before === undefined || ts >= before.ts) last.set(event.debtor.accountId, { ts, lat: event.geo.lat, lon: event.geo.lon });
    }
    expect(located).toBeGreaterThan(2000);
    expect(impossible / located).toBeLessThan(0.03);
  });
});

describe('simulator - devices', () => {
  // 2,000 customers over 30,000 ordinary events: each person pays a dozen times or so.
  const ordinary = createSimulator({ seed: 9, startTs: START, rate: 100, customers: 2_000, patternRate: 0 }).take(30_000);
  const used = new Map<string, { customer: string; ips: Set<string>; uses: number }>();
  const byCustomer = new Map<string, Set<string>>();
  for (const e of ordinary) {
    const id = e.kind === 'payment' ? e.device?.id : undefined;
    if (e.kind !== 'payment' || id === undefined || e.debtor.customerId === undefined) continue;
    const device = used.get(id) ?? { customer: e.debtor.customerId, ips: new Set<string>(), uses: 0 };
    device.ips.add(e.device?.ip ?? '');
    device.uses++;
    used.set(id, device);
    const devices = byCustomer.get(e.debtor.customerId) ?? new Set<string>();
    devices.add(id);
    byCustomer.set(e.debtor.customerId, devices);
  }

  it('lets customers take up new devices now and then (a customer is derived with at most two)', () => {
    const withMore = [...byCustomer.values()].filter((d) => d.size > 2).length;
    expect(withMore).toBeGreaterThanOrEqual(3);
    expect(withMore / byCustomer.size).toBeLessThan(0.05);
  });

  it('shows a known device on other addresses too, so a new IP alone is no label', () => {
    const busy = [...used.values()].filter((d) => d.uses >= 5);
    expect(busy.length).toBeGreaterThan(200);
    const roaming = busy.filter((d) => d.ips.size > 1).length / busy.length;
    expect(roaming).toBeGreaterThan(0.3);
    expect(roaming).toBeLessThan(0.8);
  });
});

describe('simulator - trips', () => {
  it('makes a trip a span: a traveller pays several times in a row from far away, then comes home', () => {
    // 2,000 customers at 100 events/s: each pays every 20 s or so, so a trip of days covers all of them.
    const events = createSimulator({ seed: 21, startTs: START, rate: 100, customers: 2_000, patternRate: 0 }).take(40_000);
    const located = new Map<string, { lat: number; lon: number }[]>();
    /** Payments at home between two payments away of the same customer: a trip interrupted by home. */
    let homeMidTrip = 0;
    for (const e of events) {
      // Backdated history (before the start) is scattered over weeks: only the stream itself counts.
      // Where the bank knows the place (tills, ATMs, branches): an IP's position can be a capital 3,000 km off.
      if (e.kind !== 'payment' || e.geo === undefined || !CARD_PRESENT.has(e.channel) || e.debtor.customerId === undefined || Date.parse(e.ts) < START) continue;
      const list = located.get(e.debtor.customerId) ?? [];
      list.push({ lat: e.geo.lat, lon: e.geo.lon });
      located.set(e.debtor.customerId, list);
    }
    // The same world the simulator derived, to know where each customer lives.
    const world = new World({ seed: 21, startTs: START, customers: 2_000, merchants: 5_000 });
    let payments = 0;
    let away = 0;
    const runs: number[] = [];
    for (const [id, list] of located) {
      const home = world.customer(world.indexOfCustomer(id)!);
      let run = 0;
      let homeSinceAway = 0;
      for (const p of list) {
        payments++;
        if (geoSpeedKmh(0, home.lat, home.lon, { ts: 3600_000, amount: 0, lat: p.lat, lon: p.lon }) > 300) {
          away++;
          run++;
          homeMidTrip += homeSinceAway;
          homeSinceAway = 0;
        } else {
          if (run > 0) runs.push(run);
          if (run > 0 || homeSinceAway > 0) homeSinceAway++;
          run = 0;
        }
      }
      if (run > 0) runs.push(run);
    }
    expect(payments).toBeGreaterThan(10_000);
    // About 2.4 % of people's time is spent travelling.
    expect(away / payments).toBeGreaterThan(0.005);
    expect(away / payments).toBeLessThan(0.06);
    // Until 2026-12 each payment abroad was a one-off between payments at home: runs of 1. Cash
    // counts too: a traveller's ATM withdrawals are where they are, not at home.
    expect(runs.reduce((a, b) => a + b, 0) / runs.length).toBeGreaterThan(3);
    // Away means away: no cash at the home branch, no transit taps at home in the middle of a trip.
    expect(homeMidTrip).toBe(0);
  });
});

describe('simulator - daily rhythm', () => {
  it('has people pay by day more than by night where they live, at a fixed event rate', () => {
    // A day of event time at 0.5 events/s: the rate stays fixed, who pays follows the hour.
    const sim = createSimulator({ seed: 17, startTs: Date.parse('2026-03-02T00:00:00.000Z'), rate: 0.5, patternRate: 0, loanRate: 0 });
    const byLocalHour = new Array<number>(24).fill(0);
    for (const e of sim.take(43_200)) {
      if (e.kind !== 'payment' || e.geo === undefined || e.labels?.patterns.length !== 0) continue;
      const utc = Date.parse(e.ts) / 3600_000;
      const hour = Math.floor((((utc + Math.round(e.geo.lon / 15)) % 24) + 24) % 24);
      byLocalHour[hour] = (byLocalHour[hour] as number) + 1;
    }
    const mean = (hours: readonly number[]): number => hours.reduce((sum, h) => sum + (byLocalHour[h] as number), 0) / hours.length;
    const day = mean([10, 11, 12, 13, 14, 15, 16, 17]);
    const night = mean([1, 2, 3, 4]);
    expect(day).toBeGreaterThan(200);
    // Until 2026-12 every hour looked alike (a ratio near 1).
    expect(day / night).toBeGreaterThan(2.5);
    expect(sim.stats().now - Date.parse('2026-03-02T00:00:00.000Z')).toBeGreaterThanOrEqual(86_398_000);
    // a day of events: 2.5 s alone, 23 s of the default 30 on a host running two suites at once
  }, 60_000);
});
