// The demo's simulator inside `start` (as `npm start` runs it, 50 events/s): its events reach the bus
// a tenth of a second's worth at a time, in envelopes by kind, not one message per event every
// 20 ms — each message a micro-batch of its own for the processors and a message for the writer,
// which cost the demo about a third more CPU (bin/system.ts, DEMO_SEND_EVERY_MS).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { declaredRecords } from '../../core/index.js';
import { childEnv, createHarness, eventually, type Harness } from '../harness.js';
import { startRiskstream, type RiskstreamProcess } from '../process.js';

let h: Harness;
let running: RiskstreamProcess | undefined;

beforeAll(async () => {
  h = await createHarness();
});

afterAll(async () => {
  await running?.kill();
  await h?.cleanup();
});

/** Messages read from the events stream: enough for an average, a few seconds of the demo. */
const MESSAGES = 40;

describe('demo simulator', () => {
  it('demo simulator - at 50 events/s, several events in each message on the events stream', async () => {
    running = await startRiskstream({ ...childEnv(h), RISKSTREAM_SIMULATOR_RATE: '50' }, ['start', '--roles', 'ingest,simulator']);
    const stream = h.names.streams.events;
    await eventually(async () => ((await h.bus.jsm.streams.info(stream)).state.messages >= MESSAGES ? true : undefined), 30_000, 'the simulator to publish');
    let events = 0;
    for (let seq = 1; seq <= MESSAGES; seq++) {
      const message = await h.bus.jsm.streams.getMessage(stream, { seq });
      expect(message).not.toBeNull();
      events += declaredRecords(message!.header);
    }
    // One message per event (the old pace at 50/s) reads 1; a tenth of a second's events, split by kind, read well above 2.
    expect(events / MESSAGES).toBeGreaterThan(2);
    expect(await running.stop()).toBe(0);
    running = undefined;
  }, 90_000);
});
