// What the look at an alert's text (AccountWatch.mayNameWatched) saves the hub while tabs watch
// accounts and none takes the alert feed (a measurement, not a pass/fail bar): run with
//   RS_BENCH=1 npx vitest run dashboard/server/hub/alert-precheck-bench
// Skipped otherwise. A storm of alerts as the fraud rules raise them (two reasons, each with its
// Chinese text; ~620 characters), 1 in 200 naming a watched account, goes through the hub's step before
// the look (parse, check, find the watchers) and with it (look; parse only what it lets through),
// alternated, for 1, 5 and 50 watched accounts; then the worst case, every alert holding an escape
// (a reason text with a quote), which the look lets through to the parse. It prints the median
// nanoseconds per alert of the runs.
import { loadavg } from 'node:os';
import { describe, expect, it } from 'vitest';
import { AccountWatch } from './account-watch.js';
import { isRoutableAlert } from './alert-routing.js';

const ALERTS = 20_000;
const RUNS = Number(process.env.RS_BENCH_RUNS ?? 7);

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

function alertText(i: number, accountId: string, reasonText: string): string {
  return JSON.stringify({
    v: 1, id: `ev-${i}~fraud~card_testing`, eventId: `ev-${i}`, eventKind: 'payment', ts: 1_765_000_000_000 + i, createdAt: 1_765_000_000_050 + i,
    domain: 'fraud', typology: 'card_testing', severity: 'high', score: 870, accountId, customerId: `CUS-${i % 9_000}`, segment: 'standard',
    amountMinor: 125_050, currency: 'EUR',
    reasons: [
      { code: 'FR-VEL-1', scorer: 'fraud_rules', points: 300, text: reasonText, texts: { 'zh-CN': '一分钟内 14 笔付款（上限 10）' } },
      { code: 'FR-GEO-SPEED', scorer: 'fraud_rules', points: 250, text: 'travel at 5,000 km/h since the previous located payment (limit 1,000 km/h)', texts: { 'zh-CN': '自上一笔定位付款以来移动速度 5,000 公里/小时（上限 1,000 公里/小时）' } },
    ],
  });
}

function storm(watched: readonly string[], reasonText: string): string[] {
  return Array.from({ length: ALERTS }, (_, i) => alertText(i, i % 200 === 0 ? watched[i % watched.length]! : `ACC-${100_000 + (i % 50_000)}`, reasonText));
}

/** The hub's step before the look: every alert parsed. Returns how many were routed. */
function parseEach(watch: AccountWatch<number>, texts: readonly string[]): number {
  let routed = 0;
  for (const text of texts) {
    const alert: unknown = JSON.parse(text);
    if (isRoutableAlert(alert) && watch.watchersOf(alert.accountId) !== undefined) routed += 1;
  }
  return routed;
}

/** With the look: parsed only when it may name a watched account. */
function lookFirst(watch: AccountWatch<number>, texts: readonly string[]): number {
  let routed = 0;
  for (const text of texts) {
    if (!watch.mayNameWatched(text)) continue;
    const alert: unknown = JSON.parse(text);
    if (isRoutableAlert(alert) && watch.watchersOf(alert.accountId) !== undefined) routed += 1;
  }
  return routed;
}

function nsPerAlert(step: (watch: AccountWatch<number>, texts: readonly string[]) => number, watch: AccountWatch<number>, texts: readonly string[]): { ns: number; routed: number } {
  const start = process.hrtime.bigint();
  const routed = step(watch, texts);
  return { ns: Number(process.hrtime.bigint() - start) / texts.length, routed };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function compare(label: string, watchedCount: number, reasonText: string): void {
  const watched = Array.from({ length: watchedCount }, (_, i) => `ACC-W-${i}`);
  const watch = new AccountWatch<number>();
  watched.forEach((id, i) => watch.add(i, id));
  const texts = storm(watched, reasonText);
  for (let i = 0; i < 2; i += 1) parseEach(watch, texts), lookFirst(watch, texts); // warm-up
  const before: number[] = [];
  const after: number[] = [];
  for (let run = 0; run < RUNS; run += 1) {
    const a = nsPerAlert(parseEach, watch, texts);
    const b = nsPerAlert(lookFirst, watch, texts);
    expect(b.routed).toBe(a.routed); // the same alerts routed either way
    before.push(a.ns);
    after.push(b.ns);
  }
  const [b, a] = [median(before), median(after)];
  log(`${label.padEnd(44)} parse each ${b.toFixed(0).padStart(6)} ns/alert   look first ${a.toFixed(0).padStart(6)} ns/alert   (${(b / a).toFixed(1)}×)`);
}

describe.skipIf(!process.env.RS_BENCH)('alert pre-check bench', () => {
  it('bench - an alert storm while tabs watch accounts and none takes the alert feed', () => {
    log(`load average at start: ${loadavg().map((l) => l.toFixed(2)).join(' ')}; ${ALERTS} alerts of ${alertText(0, 'ACC-100000', 'x').length} characters, median of ${RUNS} runs`);
    for (const watched of [1, 5, 50]) compare(`${watched} watched account(s)`, watched, '14 payments in one minute (limit 10)');
    compare('5 watched, every alert with an escape (\\")', 5, '14 payments to "ACME" in one minute');
    log(`load average at end: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  }, 300_000);
});
