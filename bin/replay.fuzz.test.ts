// Property-based test of `riskstream replay` onto the real NATS: files of mutated events of every
// kind (test/event-mutations.ts), good and bad lines mixed, with blank lines, CRLF line ends, a
// byte order mark and bytes that are not UTF-8. Every line that holds something is accounted for (sent or refused and named),
// and every sent event is on the stream exactly once.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonTextErrors, splitEnvelopeText, validateEvent } from '../core/index.js';
import { FUZZ_SEED, brokenEventText, eventText, unchangedEvent, withUniqueIds } from '../test/event-mutations.js';
import { createHarness, type Harness } from '../test/harness.js';
import { runReplay, type ReplayOutput } from './replay.js';

let h: Harness;
let folder: string;

beforeAll(async () => {
  h = await createHarness();
  folder = mkdtempSync(join(tmpdir(), 'riskstream-replay-fuzz-'));
});

afterAll(async () => {
  rmSync(folder, { recursive: true, force: true });
  await h?.cleanup();
});

/** Every event id on the stream from `first` on (envelopes opened). */
async function idsFrom(first: number): Promise<string[]> {
  const info = await h.bus.jsm.streams.info(h.names.streams.events);
  const ids: string[] = [];
  for (let seq = Math.max(first, info.state.first_seq); seq <= info.state.last_seq; seq++) {
    const message = await h.bus.jsm.streams.getMessage(h.names.streams.events, { seq });
    if (message) for (const record of splitEnvelopeText(message.string())) ids.push((JSON.parse(record) as { id: string }).id);
  }
  return ids;
}

/** Whether replay must send the line (as the gateway would accept it). */
function acceptable(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return validateEvent(value, () => 'assigned').ok && jsonTextErrors(text, value).length === 0;
  } catch {
    return false;
  }
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const line = fc.oneof(eventText, unchangedEvent, brokenEventText, fc.constantFrom({ kind: '', text: '', mutations: ['blank'] }, { kind: '', text: '   \t', mutations: ['blank'] }));
let run = 0;

describe('replay fuzz - files of mutated events', () => {
  it('sends every good line once and refuses every bad one by its line number', async () => {
    let sentInAll = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(line, fc.nat(), fc.integer({ min: 0, max: 3 })), { minLength: 1, maxLength: 40 }), fc.boolean(), fc.boolean(), fc.integer({ min: 1, max: 16 }), async (generated, crlf, bom, batch) => {
        const tag = `r${++run}`;
        // one line in four gets bytes that are not UTF-8 (a Latin-1 "é" in a string value, counted from the last)
        const lines = generated.map(([l, at, odd], i) => {
          const bytes = Buffer.from(withUniqueIds(l.text, `${tag}-${i}`));
          const values = [...bytes.toString('latin1').matchAll(/":"/g)].map((m) => m.index! + 3);
          if (odd !== 0 || values.length === 0) return bytes;
          const cut = values[values.length - 1 - (at % values.length)]!;
          return Buffer.concat([bytes.subarray(0, cut), Buffer.from([0xe9]), bytes.subarray(cut)]);
        });
        const path = join(folder, `${tag}.ndjson`);
        const newline = Buffer.from(crlf ? '\r\n' : '\n');
        writeFileSync(path, Buffer.concat([Buffer.from(bom ? '\ufeff' : ''), ...lines.flatMap((l, i) => (i === 0 ? [l] : [newline, l])), Buffer.from('\n')]));
        const first = (await h.bus.jsm.streams.info(h.names.streams.events)).state.last_seq + 1;
        const reports: string[] = [];
        const out: ReplayOutput = { progress: () => undefined, report: (l) => void reports.push(l) };
        const summary = await runReplay(h.config, { file: path, batch }, out);

        // each line as the file holds it: its text, or null when it is not UTF-8
        const written = lines.map((b) => {
          try {
            return strictUtf8.decode(b);
          } catch {
            return null;
          }
        });
        const held = written.map((t, i) => ({ t, number: i + 1 })).filter(({ t }) => t === null || t.trim() !== '');
        const good = held.filter(({ t }) => t !== null && acceptable(t));
        expect(summary.lines).toBe(held.length);
        expect(summary.sent + summary.refused).toBe(held.length);
        expect(summary.sent).toBe(good.length);
        const named = new Set(reports.map((r) => /^line (\d+): /.exec(r)?.[1]).filter((n): n is string => n !== undefined).map(Number));
        for (const { number } of held.filter((l) => l.t === null || !acceptable(l.t)).slice(0, 20)) {
          expect(named.has(number), `line ${number} refused without being named: ${lines[number - 1]!.toString().slice(0, 200)}`).toBe(true);
        }
        const ids = await idsFrom(first);
        expect(ids.length).toBe(summary.sent);
        expect(new Set(ids).size).toBe(ids.length);
        sentInAll += summary.sent;
      }),
      { seed: FUZZ_SEED, numRuns: 15, endOnFailure: true },
    );
    expect(sentInAll).toBeGreaterThan(3); // good lines among the mutated ones, or half the property says nothing
  });
});
