// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import type { HealthView } from '../../../server/protocol.js';
import { setLocale } from '../i18n/locale.js';
import { connectedLive, FakeApi, settle } from '../test-support/fakes.js';
import { quantileText } from './rs-health-page.js';

type ProcessView = HealthView['processes'][number];

function view(rates: ProcessView['rates'], extra: Partial<ProcessView> = {}): HealthView {
  return {
    at: 1_800_000_000_000,
    processes: [
      {
        v: 1, procId: 'vm-1-abc', roles: ['processors'], host: 'vm', pid: 10, startedAt: 1_799_999_000_000, at: 1_800_000_000_000,
        cpuPercent: 13, rssBytes: 552 * 1024 ** 2, heapUsedBytes: 51 * 1024 ** 2, eventLoopDelayP99Ms: 12.8,
        counters: { eventsIn: 1, eventsRejected: 0, decisions: 1, alerts: 1, deadLettered: 0, rowsWritten: 1 },
        stages: {}, consumers: [], writerLagSeconds: {}, rates, stale: false, ...extra,
      },
    ],
  };
}

async function shownPage(health: HealthView, deadLetters = true): Promise<HTMLElementTagNameMap['rs-health-page']> {
  const { live, socket } = connectedLive();
  const page = document.createElement('rs-health-page');
  page.deadLetters = deadLetters;
  page.api = new FakeApi().on('GET', '/api/system/dead-letters', () => ({ deadLetters: [] }));
  page.live = live;
  document.body.append(page);
  await settle(page);
  expect(socket().sent).toContainEqual({ type: 'subscribe', topic: 'health' });
  socket().push({ type: 'health', view: health });
  await settle(page);
  return page;
}

async function figures(rates: ProcessView['rates']): Promise<Record<string, string>> {
  const page = await shownPage(view(rates));
  const pairs = [...page.shadowRoot!.querySelectorAll('.figure')].map((f) => [f.querySelector('.k')!.textContent!, f.querySelector('.v')!.textContent!]);
  return Object.fromEntries(pairs);
}

describe('health page', () => {
  afterEach(() => {
    document.body.innerHTML = '';
    setLocale('en');
  });

  it('health page - leaves the dead letters out for roles that may not read them, without asking for them', async () => {
    const page = await shownPage(view(null), false);
    expect(page.shadowRoot!.querySelector('[data-testid="dead-letters"]')).toBeNull();
    expect((page.api as FakeApi).calls.filter((c) => c.path === '/api/system/dead-letters')).toEqual([]);
    const operator = await shownPage(view(null));
    expect(operator.shadowRoot!.querySelector('[data-testid="dead-letters"]')).not.toBeNull();
  });

  it('health page - says stage quantiles are at most their histogram bucket\'s edge, not exact', async () => {
    const stages = { batch_total: { count: 1_200, p50Ms: 5, p99Ms: 25 }, writer_insert: { count: 0, p50Ms: null, p99Ms: null } };
    const page = await shownPage(view(null, { stages }));
    const cells = (stage: string) => [...page.shadowRoot!.querySelectorAll(`[data-stage="${stage}"] td`)].map((td) => td.textContent!.trim());
    expect(cells('batch_total')).toEqual(['batch_total', '1,200', '≤ 5 ms', '≤ 25 ms']);
    expect(cells('writer_insert')).toEqual(['writer_insert', '0', '—', '—']);
    const headers = [...page.shadowRoot!.querySelectorAll('[data-testid="stages"] th')].map((th) => th.getAttribute('title'));
    expect(headers.slice(2)).toEqual([expect.stringContaining('Upper edge of the latency histogram bucket'), expect.stringContaining('Upper edge')]);
  });

  // before: a quantile in the +Inf bucket read '≤ 300,000 ms', the largest finite edge, which it is above
  it.each([
    [null, undefined, '—'],
    [25, undefined, '≤ 25 ms'],
    [300_000, undefined, '≤ 300,000 ms'],
    [300_000, true, '> 300,000 ms'],
    [2.5, true, '> 2.5 ms'],
  ] as const)('health page - a stage quantile of %s ms, beyond the last edge: %s, reads %s', (ms, beyond, text) => {
    expect(quantileText(ms, beyond)).toBe(text);
  });

  it('health page - says a stage quantile beyond the last bucket edge is above it, for p50 and p99', async () => {
    const stages = {
      writer_insert: { count: 10, p50Ms: 300_000, p99Ms: 300_000, p50Beyond: true, p99Beyond: true },
      batch_total: { count: 100, p50Ms: 5, p99Ms: 300_000, p99Beyond: true },
    } as const;
    const page = await shownPage(view(null, { stages }));
    const cells = (stage: string) => [...page.shadowRoot!.querySelectorAll(`[data-stage="${stage}"] td`)].map((td) => td.textContent!.trim());
    expect(cells('writer_insert')).toEqual(['writer_insert', '10', '> 300,000 ms', '> 300,000 ms']);
    expect(cells('batch_total')).toEqual(['batch_total', '100', '≤ 5 ms', '> 300,000 ms']);
  });

  it('health page - shows alerts per minute, so that a trickle of alerts does not read as none', async () => {
    const shown = await figures({ eventsIn: 50, decisions: 50, alerts: 0.22, deadLettered: 0, rowsWritten: 102 });
    expect(shown).toMatchObject({ 'Events in / s': '50.0', 'Decisions / s': '50.0', 'Alerts / min': '13.2', 'Rows written / s': '102' });
  });

  it('health page - shows a dash before a process has two heartbeats', async () => {
    const shown = await figures(null);
    expect(shown['Alerts / min']).toBe('—');
    expect(shown['Events in / s']).toBe('—');
  });

  it('health page - says which writer tables have had every insert failing, and for how long', async () => {
    const page = await shownPage(
      view(null, { roles: ['writer'], writerLagSeconds: { events: 95.2, decisions: 0.4 }, writerFailingSeconds: { events: 92.6, decisions: 0 } }),
    );
    const rows = [...page.shadowRoot!.querySelectorAll('[data-testid="writer-sink"]')];
    const text = (sink: string) => rows.find((r) => r.getAttribute('data-sink') === sink)!.textContent!.replace(/\s+/g, ' ').trim();
    expect(text('events')).toBe('events 95.2 s every insert failing for 93 s');
    expect(text('decisions')).toBe('decisions 0.4 s inserts succeed');
    expect(rows.find((r) => r.getAttribute('data-sink') === 'events')!.querySelector('.bad')).not.toBeNull();
  });

  it('health page - shows the free space of the data folder\'s disk where a writer reads it, marked under 1 GiB', async () => {
    const shownFigure = async (extra: Partial<ProcessView>) => {
      const page = await shownPage(view(null, { roles: ['writer'], ...extra }));
      const figure = [...page.shadowRoot!.querySelectorAll('.figure')].find((f) => f.querySelector('.k')!.textContent === 'Data folder disk free');
      document.body.innerHTML = '';
      return figure === undefined ? null : { value: figure.querySelector('.v')!.textContent, bad: figure.querySelector('.v')!.classList.contains('bad') };
    };
    expect(await shownFigure({ dataDirFreeBytes: 287 * 1024 ** 2 })).toEqual({ value: '287 MB', bad: true });
    expect(await shownFigure({ dataDirFreeBytes: 40 * 1024 ** 3 })).toEqual({ value: '40 GB', bad: false });
    // a process without a writer on embedded chDB (or an older one) sends none: nothing shown
    expect(await shownFigure({})).toBeNull();
  });

  it('health page - a heartbeat from a process without the failing figures still shows its lag', async () => {
    const page = await shownPage(view(null, { roles: ['writer'], writerLagSeconds: { events: 1.5 } }));
    const row = page.shadowRoot!.querySelector('[data-testid="writer-sink"]')!;
    expect(row.textContent!.replace(/\s+/g, ' ').trim()).toBe('events 1.5 s inserts succeed');
  });

  it('health page - shows how full each stream is, and what a full stream discarded before a consumer read it', async () => {
    const page = await shownPage(
      view(null, {
        roles: ['writer'],
        consumers: [
          { name: 'writer-events', pending: 120, ackPending: 4 },
          { name: 'writer-decisions', pending: 0, ackPending: 2 },
        ],
        streamFill: { RS_EVENTS: 0.93, RS_DECISIONS: 0.41 },
        discardedUnread: { 'writer-events': 1367 },
      }),
    );
    const text = (el: Element) => el.textContent!.replace(/\s+/g, ' ').trim();
    const streams = [...page.shadowRoot!.querySelectorAll('[data-testid="stream"]')];
    expect(streams.map(text)).toEqual(['RS_DECISIONS 41% full', 'RS_EVENTS 93% full']);
    expect(streams[1]!.querySelector('.bad')).not.toBeNull();
    const consumers = [...page.shadowRoot!.querySelectorAll('[data-testid="consumer"]')];
    expect(consumers.map(text)).toEqual(['writer-events 120 4 1,367', 'writer-decisions 0 2 0']);
    expect(consumers[0]!.querySelectorAll('.bad')).toHaveLength(1);
    expect(consumers[1]!.querySelector('.bad')).toBeNull();
  });

  it('health page - shows which part of the process uses its CPU, busiest first, and nothing without the figures', async () => {
    const page = await shownPage(view(null, { cpuByThread: { main: 8.2, processors: 34.5, storage_engine: 21, runtime: 12, writer_mapping: 9, later_thread: 1 } }));
    const line = page.shadowRoot!.querySelector('[data-testid="cpu-by-thread"]')!;
    expect([...line.querySelectorAll('[data-thread]')].map((s) => s.textContent)).toEqual([
      'processors 35%',
      'storage engine 21%',
      'runtime (GC, compiler) 12%',
      'writer mapping 9%',
      'main 8%',
      'later_thread 1%',
    ]);
    setLocale('zh-CN');
    await settle(page);
    expect(page.shadowRoot!.querySelector('[data-thread="storage_engine"]')!.textContent).toBe('存储引擎 21%');
    // A heartbeat from a process before the field existed, or one not on Linux.
    const older = await shownPage(view(null));
    expect(older.shadowRoot!.querySelector('[data-testid="cpu-by-thread"]')).toBeNull();
  });

  it('health page - says when the gateway of a process refuses new events because the readers are far behind, and nothing otherwise', async () => {
    const refusing = await shownPage(view(null, { roles: ['ingest'], ingestRefusing: true }));
    const banner = refusing.shadowRoot!.querySelector('[data-testid="ingest-refusing"]');
    expect(banner?.textContent).toMatch(/^Refusing new events: the processors or the writer are more than half a stream behind/);
    expect(banner?.classList.contains('bad')).toBe(true);
    const taking = await shownPage(view(null, { roles: ['ingest'], ingestRefusing: false }));
    expect(taking.shadowRoot!.querySelector('[data-testid="ingest-refusing"]')).toBeNull();
    // a heartbeat from a process before the field existed
    const older = await shownPage(view(null, { roles: ['ingest'] }));
    expect(older.shadowRoot!.querySelector('[data-testid="ingest-refusing"]')).toBeNull();
  });
});
