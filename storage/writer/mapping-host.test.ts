// The writer's mapping thread, as built (dist/, compiled by the test set-up): it maps events and
// decisions exactly as the main thread would, refusals included, and the FX rates it was given
// reach the USD amounts.
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../core/index.js';
import { payment } from '../../test/harness.js';
import { decision } from '../test-fixtures.js';
import type { LineMapper } from './mapping-host.js';
import { mapLocally } from './mapping-host.js';
import type { PreparedRow } from './line-tables.js';
import type { WireMessage } from './rows/row-outcome.js';

const BUILT = new URL('../../dist/storage/writer/mapping-host.js', import.meta.url);

async function builtMapper(fxRates: Record<string, number>): Promise<LineMapper> {
  if (!existsSync(fileURLToPath(BUILT))) throw new Error('dist/ is missing: run `npm run build` (npm test does it in its set-up)');
  const { createLineMapper } = (await import(BUILT.href)) as typeof import('./mapping-host.js');
  return createLineMapper(fxRates, createLogger('silent'));
}

const text = (value: unknown): Uint8Array => new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value));

/** Rows with their lines as text, whichever form the mapper gave them in. */
function asText(rows: ReadonlyArray<PreparedRow<string | Uint8Array>>): PreparedRow<string>[] {
  return rows.map((r) => (r.ok ? { ...r, row: typeof r.row === 'string' ? r.row : new TextDecoder().decode(r.row) } : r));
}

describe('writer mapping thread - the same rows as the main thread', () => {
  it('maps events, decisions and refusals as mapLocally does', async () => {
    const mapper = await builtMapper({});
    try {
      const events: WireMessage[] = [
        { subject: 'rs.ev.payment.3', data: text(payment('map-1')), ingestTs: 1_795_000_000_000 },
        { subject: 'rs.ev.payment.mixed', data: text(payment('map-2', { amount: '0.07', currency: 'JPY' })), ingestTs: null },
        { subject: 'rs.ev.payment.3', data: text('{"v":1,"kind":'), ingestTs: null },
        { subject: 'rs.ev.customer.1', data: text(payment('map-wrong-subject')), ingestTs: null },
        // Text beyond ASCII: the thread's UTF-8 must be the line's, byte for byte.
        { subject: 'rs.ev.payment.3', data: text(payment('map-cjk', { debtor: { accountId: 'ACC-1', customerId: 'C-1', name: '李雷 Ölçer', country: 'CN' } })), ingestTs: null },
      ];
      const decisions: WireMessage[] = [
        { subject: 'rs.dec.payment', data: text(decision({ eventId: 'dec-1' })), ingestTs: null },
        { subject: 'rs.dec.payment', data: text(decision({ eventId: 'dec-2', score: 5000 })), ingestTs: null },
      ];
      const [threadEvents, threadDecisions] = await Promise.all([mapper.map('events', events), mapper.map('decisions', decisions)]);
      // The thread sends lines back as UTF-8 bytes.
      expect(threadEvents[0]!.ok && threadEvents[0]!.row instanceof Uint8Array).toBe(true);
      const fromThread = asText(threadEvents);
      const fromThreadDecisions = asText(threadDecisions);
      expect(fromThread).toEqual(mapLocally('events', events));
      expect(fromThreadDecisions).toEqual(mapLocally('decisions', decisions));
      // The cases mean something: a row, then refusals (yen have no minor units, broken JSON, a
      // kind its subject does not name), each with its code.
      expect(fromThread.map((r) => (r.ok ? 'row' : r.code))).toEqual(['row', 'RS_ERR_BUS_SCHEMA', 'RS_ERR_BUS_JSON', 'RS_ERR_BUS_SUBJECT', 'row']);
      expect(fromThreadDecisions.map((r) => r.ok)).toEqual([true, false]);
      expect(fromThreadDecisions[1]).toMatchObject({ ok: false, code: 'RS_ERR_BUS_SCHEMA', reason: expect.stringContaining('/score') });
      expect(fromThread[4]!.ok && fromThread[4]!.row.includes('李雷 Ölçer')).toBe(true);
      const row = fromThread[0]!;
      expect(row.ok && typeof row.row === 'string' && row.row.startsWith('map-1\tpayment\t')).toBe(true);
    } finally {
      await mapper.close();
    }
  });

  it('uses the FX rates it was started with', async () => {
    const record: WireMessage = { subject: 'rs.ev.payment.0', data: text(payment('fx-1', { amount: '100.00', currency: 'EUR' })), ingestTs: null };
    const plain = await builtMapper({});
    const doubled = await builtMapper({ EUR: 2 });
    try {
      const [a] = asText(await plain.map('events', [record]));
      const [b] = asText(await doubled.map('events', [record]));
      if (!a?.ok || !b?.ok) throw new Error('fixture refused');
      // amount_usd is the 19th column of the events line.
      expect((b.row as string).split('\t')[18]).toBe('200.00');
      expect((a.row as string).split('\t')[18]).not.toBe('200.00');
    } finally {
      await plain.close();
      await doubled.close();
    }
  });
});
