import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, type DecisionWire, type KpiSecondWire } from '../../core/index.js';
import { createHarness, eventually, type Harness } from '../../test/harness.js';
import { startKpiPublisher } from './kpi-publisher.js';

describe('kpi publisher - on NATS', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(async () => h.cleanup());

  it('publishes each finished second once, on the process subject', async () => {
    const received: Array<{ subject: string; wire: KpiSecondWire }> = [];
    const sub = h.bus.nc.subscribe(h.names.subjects.kpiAll, { callback: (_e, m) => void received.push({ subject: m.subject, wire: m.json<KpiSecondWire>() }) });
    const publisher = startKpiPublisher(h.bus, 'proc-a', createLogger('silent'));
    try {
      const now = Date.now();
      const decision = {
        v: 1, eventId: 'e', eventKind: 'payment', eventTs: now, ingestTs: now - 3, decidedAt: now, accountId: 'A', customerId: 'C',
        counterpartyId: 'B', channel: 'web', paymentType: 'transfer', country: 'US', counterpartyCountry: 'DE', segment: 'vip',
        amountMinor: 500, currency: 'USD', score: 10, action: 'allow', reasons: [], models: {}, features: {}, latencyMs: { processing: 1, total: 3 },
      } satisfies DecisionWire;
      publisher.accumulator.record(decision, []);
      publisher.accumulator.record({ ...decision, eventId: 'f' }, []);
      const got = await eventually(() => received[0], 15_000, 'a KPI snapshot');
      expect(got.subject).toBe(h.names.kpiSubject('proc-a'));
      expect(got.wire).toMatchObject({ procId: 'proc-a', second: now - (now % 1000), decisions: 2, amountUsdCents: 1000 });
      await new Promise((r) => setTimeout(r, 1300));
      expect(received).toHaveLength(1);
    } finally {
      publisher.stop();
      sub.unsubscribe();
    }
  });
});
