// `riskstream replay` against the real NATS (and a spawned riskstream for --url and --wait): the
// events reach the stream, each refused line is named with its number and field, events without
// an id get one, and --wait waits until the processors have decided everything.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AckPolicy } from '@nats-io/jetstream';
import { nanos } from '@nats-io/nats-core';
import { consumerLag, ensureConsumer, ensureStreams, sourcePath, splitEnvelopeText, streamLimitsOf } from '../core/index.js';
import { childEnv, createHarness, eventually, payment, type Harness } from '../test/harness.js';
import { freePort, startRiskstream, type RiskstreamProcess } from '../test/process.js';
import { startRefusingIngest } from '../test/refusing-ingest.js';
import { ReplayError, consoleReplayOutput, runReplay, type ReplayOutput } from './replay.js';

let h: Harness;
let folder: string;
let running: RiskstreamProcess | undefined;

beforeAll(async () => {
  h = await createHarness();
  folder = mkdtempSync(join(tmpdir(), 'riskstream-replay-'));
});

afterAll(async () => {
  await running?.kill();
  rmSync(folder, { recursive: true, force: true });
  await h?.cleanup();
});

function capture(): ReplayOutput & { readonly reports: string[] } {
  const reports: string[] = [];
  return { reports, progress: () => undefined, report: (line) => void reports.push(line) };
}

/** A file of two good events (the first labelled, the second without an id), a blank line, and two bad lines. */
function file(name: string, prefix: string): string {
  const { id: _id, ...noId } = payment('unused', { amount: '7.00' });
  const lines = [
    JSON.stringify(payment(`${prefix}-1`, { labels: { patterns: [], fraud: false } })),
    '',
    'not json',
    JSON.stringify(payment(`${prefix}-2`, { amount: 12.5 })),
    JSON.stringify(noId),
  ];
  const path = join(folder, name);
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

/** Every event id in the namespace's events stream (envelopes opened). */
async function storedIds(): Promise<string[]> {
  const info = await h.bus.jsm.streams.info(h.names.streams.events);
  const consumer = await h.bus.js.consumers.get(h.names.streams.events);
  const ids: string[] = [];
  if (info.state.messages === 0) return ids;
  const messages = await consumer.fetch({ max_messages: info.state.messages, expires: 2000 });
  for await (const m of messages) {
    for (const record of splitEnvelopeText(m.string())) ids.push((JSON.parse(record) as { id: string }).id);
    if (m.info.pending === 0) break;
  }
  return ids;
}

describe('riskstream replay', () => {
  it('publishes the good lines onto the bus and names each refused line', async () => {
    const out = capture();
    const summary = await runReplay(h.config, { file: file('bus.ndjson', 'rb') }, out);
    expect(summary).toMatchObject({ lines: 4, sent: 2, refused: 2 });
    // to the millisecond, as --json prints it (before: 0.2490233169999999)
    expect(JSON.stringify(summary.seconds)).toMatch(/^\d+(\.\d{1,3})?$/);
    expect(out.reports.find((l) => l.startsWith('line 3: '))).toMatch(/^line 3: not JSON \(/);
    expect(out.reports.find((l) => l.startsWith('line 4: '))).toMatch(/^line 4: \/amount: /);
    expect(out.reports.at(-1)).toMatch(/^replay: 2 of 4 events sent in [\d.]+ s, 2 refused$/);
    const ids = await storedIds();
    expect(ids).toContain('rb-1');
    // The event without an id got one (a UUID), as over HTTP.
    expect(ids.filter((id) => /^[0-9a-f-]{36}$/.test(id))).toHaveLength(1);
    expect(ids).not.toContain('rb-2');
  });

  it('ends on its summary: no last progress line repeating it in a log, and at a terminal a report takes the progress line\'s place', async () => {
    const written = (isTTY: boolean): NodeJS.WriteStream & { text: () => string } => {
      const chunks: string[] = [];
      const stream = new Writable({ write: (chunk: Buffer, _encoding, done) => void (chunks.push(chunk.toString()), done()) });
      return Object.assign(stream, { isTTY, text: () => chunks.join('') }) as unknown as NodeJS.WriteStream & { text: () => string };
    };
    const log = written(false);
    await runReplay(h.config, { file: file('ends.ndjson', 're') }, consoleReplayOutput(log));
    // before: 'replay: 2 events sent (…/s), 2 refused' then 'replay: 2 of 4 events sent in 0.0 s, 2 refused'
    expect(log.text()).not.toContain('events sent (');
    expect(log.text()).toMatch(/^line 3: .*\nline 4: .*\nreplay: 2 of 4 events sent in \d+\.\d s, 2 refused\n$/);
    const terminal = written(true);
    const out = consoleReplayOutput(terminal);
    out.progress('replay: 500 events sent (900/s), 0 refused');
    out.report('replay: 600 of 600 events sent in 0.7 s, 0 refused');
    expect(terminal.text()).toBe('\rreplay: 500 events sent (900/s), 0 refused\x1b[K\r\x1b[Kreplay: 600 of 600 events sent in 0.7 s, 0 refused\n');
  });

  it('refuses a line that is not UTF-8 rather than sending it with U+FFFD in place of its bytes, and keeps other text intact', async () => {
    const name = (id: string, holder: string) => Buffer.from(JSON.stringify(payment(id, { debtor: { accountId: 'ACC-U', name: holder, country: 'CN' } })));
    const [before, after] = name('ru-1', 'HOLDER').toString().split('HOLDER') as [string, string];
    const path = join(folder, 'utf8.ndjson');
    writeFileSync(path, Buffer.concat([Buffer.from('\ufeff'), name('ru-0', '王小明'), Buffer.from('\r\n'), Buffer.from(before), Buffer.from([0xff, 0xfe]), Buffer.from(after), Buffer.from('\n')]));
    const out = capture();
    const summary = await runReplay(h.config, { file: path }, out);
    expect(summary).toMatchObject({ lines: 2, sent: 1, refused: 1 });
    expect(out.reports.find((l) => l.startsWith('line 2: '))).toMatch(/^line 2: not UTF-8 text.*\(rule utf8\)$/);
    const stored = await storedIds();
    expect(stored).toContain('ru-0');
    expect(stored).not.toContain('ru-1');
    const info = await h.bus.jsm.streams.info(h.names.streams.events);
    const records: Array<{ id: string; debtor: { name?: string } }> = [];
    for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
      const message = await h.bus.jsm.streams.getMessage(h.names.streams.events, { seq });
      if (message) for (const record of splitEnvelopeText(message.string())) records.push(JSON.parse(record) as { id: string; debtor: { name?: string } });
    }
    expect(records.find((r) => r.id === 'ru-0')?.debtor.name).toBe('王小明');
  });

  it('says so when nothing decides the events within --wait, and that no process of the processors role runs', async () => {
    const out = capture();
    const summary = await runReplay(h.config, { file: file('nobody.ndjson', 'rn'), waitSeconds: 1 }, out);
    expect(summary.decided).toBe(false);
    // the processors' consumer exists (a riskstream ran here) and none runs now: a wait longer than a
    // heartbeat interval knows that (before: 'the processors carry on')
    const { streams, consumers, subjects } = h.names;
    await ensureConsumer(h.bus, { stream: streams.events, durable: consumers.processors, filterSubject: subjects.eventsAll });
    const longer = capture();
    try {
      await runReplay(h.config, { file: file('nobody.ndjson', 'rn'), waitSeconds: 3 }, longer);
    } finally {
      await h.bus.jsm.consumers.delete(streams.events, consumers.processors);
    }
    expect(longer.reports.at(-1)).toMatch(
      new RegExp(`^replay: \\d+ messages? still undecided after 3 s, and no process with the processors role is running in namespace ${h.namespace} \\(none sent a heartbeat\\): start one \\(riskstream start --roles processors\\), which decides them$`),
    );
  });

  it('sends to an ingest URL, waits until the processors have decided every event, and compares them with the labels', async () => {
    running = await startRiskstream(childEnv(h), ['start', '--roles', 'ingest,processors']);
    const out = capture();
    const summary = await runReplay(h.config, { file: file('http.ndjson', 'rh'), url: running.baseUrl, waitSeconds: 60, rate: 100, evaluate: true }, out);
    expect(summary).toMatchObject({ sent: 2, refused: 2, decided: true });
    expect(out.reports).toContain('replay: the processors have decided every event');
    expect(await storedIds()).toContain('rh-1');
    // Both replayed payments were decided; the first carries labels (fraud: false), the other none.
    expect(summary.evaluation).toMatchObject({ decided: 2, labelled: 1 });
    expect(summary.evaluation?.domains.find((d) => d.domain === 'fraud')).toMatchObject({ labelled: 1, positives: 0 });
    expect(out.reports.find((l) => l.startsWith('replay: detection on 1 labelled of 2 decided events'))).toBeDefined();
    expect(await running.stop()).toBe(0);
    running = undefined;
  }, 90_000);

  it('run again (after a Ctrl-C), evaluates the whole file: the events decided before count with their earlier decisions', async () => {
    const again = await createHarness();
    const processors = await startRiskstream(childEnv(again), ['start', '--roles', 'ingest,processors']);
    try {
      const path = join(folder, 'again.ndjson');
      // the first, a large transfer to a payee never paid (FR-NEWPAYEE-AMT), is a labelled case
      const labelsOf = (i: number): Record<string, unknown> => (i === 0 ? { labels: { patterns: ['app_scam'], fraud: true, scenarioId: 'ra-case' }, amount: '5000.00' } : { labels: { patterns: [], fraud: false } });
      writeFileSync(path, Array.from({ length: 4 }, (_, i) => JSON.stringify(payment(`ra-${i}`, labelsOf(i)))).join('\n') + '\n');
      // the first run stops after two events
      writeFileSync(join(folder, 'again-half.ndjson'), readFileSync(path, 'utf8').split('\n').slice(0, 2).join('\n') + '\n');
      const first = await runReplay(again.config, { file: join(folder, 'again-half.ndjson'), waitSeconds: 60, evaluate: true }, capture());
      expect(first.evaluation).toMatchObject({ decided: 2 });
      const out = capture();
      const second = await runReplay(again.config, { file: path, waitSeconds: 60, evaluate: true }, out);
      expect(second).toMatchObject({ sent: 4, decided: true });
      expect(second.evaluation).toMatchObject({ decided: 4, labelled: 4 });
      expect(second.evaluation?.domains.find((d) => d.domain === 'fraud')).toMatchObject({ labelled: 4, positives: 1 });
      // the reason codes and scenario id of an event decided before, read back from the decisions stream
      expect(second.evaluation?.rules.find((r) => r.code === 'FR-NEWPAYEE-AMT')).toMatchObject({ domain: 'fraud', events: 1, positives: 1, precision: 1 });
      expect(second.evaluation?.patternCases).toEqual([{ pattern: 'app_scam', cases: 1, casesAlerted: expect.any(Number) }]);
      expect(second.evaluation?.actions.positive.events).toBe(1);
      expect(second.evaluation?.actions.unlabelled.events).toBe(3);
      expect(out.reports).toContain('replay: 2 of the events were decided before this run (sent again): their earlier decisions and alerts, from the decisions stream, are in the figures');
      expect(out.reports.some((l) => /^replay: namespace \S+ already holds decisions/.test(l))).toBe(true);
      expect(out.reports.join('\n')).not.toMatch(/processors role running/);
      expect(await processors.stop()).toBe(0);
    } finally {
      await processors.kill();
      await again.cleanup();
    }
  }, 90_000);

  it('warns when events are older than the retention: their rows would expire from storage at once', async () => {
    const path = join(folder, 'old.ndjson');
    const old = new Date(Date.now() - (h.config.retentionDays + 10) * 86_400_000).toISOString();
    writeFileSync(path, [JSON.stringify(payment('ro-old', { ts: old })), JSON.stringify(payment('ro-new'))].join('\n'));
    const out = capture();
    expect(await runReplay(h.config, { file: path }, out)).toMatchObject({ sent: 2, refused: 0 });
    expect(out.reports.at(-1)).toMatch(/^replay: 1 event is older than \d+ days: if the riskstream that stores them keeps RISKSTREAM_RETENTION_DAYS=\d+ \(this shell's setting.*; its own setting decides\), they are decided but not stored .*the alerts raised on them are not shown on the dashboard/);
  });

  it('stops with what was sent and what to do when the destination refuses a batch', async () => {
    const nobody = await freePort();
    const error = await runReplay(h.config, { file: file('refused.ndjson', 'rx'), url: `http://127.0.0.1:${nobody}` }, capture()).then(
      () => new Error('replay did not stop'),
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(ReplayError);
    // before: 'stopped: connect ECONNREFUSED 127.0.0.1:…', the client's words alone
    expect(error.message).toMatch(
      new RegExp(`^stopped: nothing answers at http://127\\.0\\.0\\.1:${nobody} \\(ECONNREFUSED\\): is riskstream running there, and on that port\\? 0 events were sent before this batch; run the replay again once the cause is fixed`),
    );
  });

  it('without RISKSTREAM_API_KEY refuses --url, naming the demo key of its data folder when there is one', async () => {
    const dataDir = mkdtempSync(join(folder, 'data-'));
    const demoMode = { ...h.config, apiKeyGenerated: true, dataDir };
    const options = { file: file('nokey.ndjson', 'rk'), url: 'http://127.0.0.1:1' };
    await expect(runReplay(demoMode, options, capture())).rejects.toThrow(new ReplayError('set RISKSTREAM_API_KEY to the ingest key of the running riskstream to replay with --url'));
    writeFileSync(join(dataDir, 'demo-api-key'), 'rsk_0123456789abcdef0123\n');
    const keyPath = join(dataDir, 'demo-api-key');
    await expect(runReplay(demoMode, options, capture())).rejects.toThrow(
      new ReplayError(`set RISKSTREAM_API_KEY to the ingest key of the running riskstream to replay with --url (a demo riskstream on this data folder keeps its key in ${keyPath}: RISKSTREAM_API_KEY="$(cat '${keyPath}')")`),
    );
  });

  it('says what to check when the address refuses a whole batch: a key it does not take (401), no ingest there (404)', async () => {
    const ingest = await startRefusingIngest(401);
    try {
      const { url } = ingest;
      const stopped = (): Promise<string> => runReplay({ ...h.config, apiKeyGenerated: false }, { file: file('batch-refused.ndjson', 'rb'), url }, capture()).then(() => 'replay did not stop', (e: unknown) => (e as Error).message);
      expect(await stopped()).toMatch(/^stopped: ingest did not accept the batch \(401\): .*; RISKSTREAM_API_KEY is not an ingest key of the riskstream there\. 0 events were sent/);
      ingest.status = 404;
      expect(await stopped()).toMatch(/^stopped: ingest did not accept the batch \(404\): .*; the riskstream there has no ingest role \(give the address of a process started with it\)\. 0 events were sent/);
    } finally {
      await ingest.close();
    }
  });

  it('--json: the summary as one JSON object on the last line of stdout, the report on stderr', async () => {
    const path = file('json.ndjson', 'rj');
    const run = promisify(execFile);
    const result = await run(process.execPath, [sourcePath('dist', 'bin', 'riskstream.js'), 'replay', path, '--wait', '1', '--json'], {
      env: { ...process.env, ...childEnv(h), LOG_LEVEL: 'silent' },
      timeout: 30_000,
    }).then(
      (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
    );
    // Nothing decides here: exit 1, and the JSON says why.
    expect(result.code).toBe(1);
    const last = result.stdout.trim().split('\n').at(-1)!;
    expect(JSON.parse(last)).toMatchObject({ lines: 4, sent: 2, refused: 2, decided: false });
    expect(result.stderr).toMatch(/^line 3: not JSON/m);
  }, 40_000);

  it('refuses a file it cannot read, before sending anything', async () => {
    await expect(runReplay(h.config, { file: join(folder, 'missing.ndjson') }, capture())).rejects.toThrow(/cannot read .*missing\.ndjson: ENOENT/);
    await expect(runReplay(h.config, { file: folder }, capture())).rejects.toThrow(/is a folder: give an NDJSON file of events/);
  });

  it('stops reading when told (Ctrl-C), says after which line, and still reports what was sent', async () => {
    const many = join(folder, 'many.ndjson');
    writeFileSync(many, Array.from({ length: 50 }, (_, i) => JSON.stringify(payment(`stop-${i}`))).join('\n') + '\n');
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 600);
    const out = capture();
    // 5 events a second: the 50 would take 10 s
    const summary = await runReplay(h.config, { file: many, rate: 5, batch: 1, signal: stop.signal }, out);
    expect(summary.sent).toBeGreaterThan(0);
    expect(summary.sent).toBeLessThan(50);
    expect(summary.stoppedAtLine).toBeGreaterThanOrEqual(summary.sent);
    expect(out.reports).toContain(`replay: stopped after line ${summary.stoppedAtLine} of the file; sent again, the events already sent are recognised by their ids and not decided twice (within the dedup TTL, unless Redis lost its data)`);
  });

  it('refuses, as HTTP ingest does, a line naming a field twice, with a lone surrogate or nested too deep, naming the rule; a BOM is no part of the first line', async () => {
    const path = join(folder, 'text.ndjson');
    const good = JSON.stringify(payment('rt-1'));
    const twice = JSON.stringify(payment('rt-2')).replace(/^\{/, '{"amount":"1.00",');
    const surrogate = JSON.stringify(payment('rt-3', { customerId: 'A' })).replace('"customerId":"A"', '"customerId":"A\\ud800"');
    const deep = JSON.stringify({ ...payment('rt-4'), labels: { patterns: [], x: JSON.parse('['.repeat(70) + ']'.repeat(70)) } });
    writeFileSync(path, ['\ufeff' + good, twice, surrogate, deep].join('\n') + '\n');
    const out = capture();
    const summary = await runReplay(h.config, { file: path }, out);
    expect(summary).toMatchObject({ lines: 4, sent: 1, refused: 3 });
    expect(out.reports.find((l) => l.startsWith('line 2: '))).toMatch(/^line 2: \/amount: amount appears more than once .*\(rule duplicate_key\)$/);
    expect(out.reports.find((l) => l.startsWith('line 3: '))).toMatch(/^line 3: \/customerId: holds a lone UTF-16 surrogate.*\(rule unicode\)/);
    expect(out.reports.find((l) => l.startsWith('line 4: '))).toMatch(/^line 4: the JSON nests \d+ levels deep.*\(rule depth\)/);
    expect(out.reports.some((l) => l.startsWith('line 1: '))).toBe(false);
  });

  it('with --url and neither --wait nor --evaluate, needs no NATS; a partial (207) answer counts the lines refused there by their line in the file, and goes on', async () => {
    const bodies: string[] = [];
    const server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        bodies.push(body);
        const lines = body.split('\n');
        // the other riskstream refuses the second event of each batch
        const results = lines.map((_, i) => (i === 1 ? { line: i + 1, status: 'rejected', code: 'RS_ERR_INGEST_SCHEMA', errors: [{ path: '/currency', rule: 'fx_rate', message: 'no USD rate' }] } : { line: i + 1, status: 'accepted' }));
        response.writeHead(lines.length > 1 ? 207 : 202, { 'content-type': 'application/json' }).end(JSON.stringify({ accepted: lines.length - 1, rejected: 1, results }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const path = join(folder, 'partial.ndjson');
      writeFileSync(path, ['not json', ...Array.from({ length: 5 }, (_, i) => JSON.stringify(payment(`rp-${i}`)))].join('\n') + '\n');
      const out = capture();
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const summary = await runReplay({ ...h.config, natsUrl: 'nats://127.0.0.1:1', apiKeyGenerated: false }, { file: path, url, batch: 3 }, out);
      expect(bodies).toHaveLength(2);
      // lines 3 and 6 hold the second event of each batch
      expect(summary).toMatchObject({ lines: 6, sent: 3, refused: 3 });
      expect(out.reports).toContain('line 3: /currency: no USD rate (rule fx_rate)');
      expect(out.reports).toContain('line 6: /currency: no USD rate (rule fx_rate)');
    } finally {
      server.close();
    }
  });

  it('refuses a --url that is no http(s) URL, and a --rate of 0, in words', async () => {
    await expect(runReplay({ ...h.config, apiKeyGenerated: false }, { file: file('url.ndjson', 'ru'), url: '127.0.0.1:18931' }, capture())).rejects.toThrow(
      '--url 127.0.0.1:18931 is not an http(s) base URL: give one such as http://127.0.0.1:8080',
    );
    await expect(runReplay(h.config, { file: file('rate.ndjson', 'rr'), rate: 0 }, capture())).rejects.toThrow(/^--rate must be at least 1/);
  });

  it('says how to turn a CSV into events, and never echoes control characters from the file', async () => {
    const csv = join(folder, 'data.csv');
    writeFileSync(csv, 'step,type,amount\nE\u001b[2J,PAYMENT,9.99\n');
    const out = capture();
    const summary = await runReplay(h.config, { file: csv }, out);
    expect(summary).toMatchObject({ sent: 0, refused: 2 });
    expect(out.reports[0]).toMatch(/this looks like CSV, not NDJSON events: convert a public data set first with `riskstream import/);
    expect(out.reports.join('\n')).not.toMatch(/\u001b/);
  });
});

describe('riskstream replay - a file larger than its consumers keep up with', () => {
  it('waits while a reader of the events stream lags by a quarter of the stream, so that a full stream discards none of it', async () => {
    const small = await createHarness({ RISKSTREAM_STREAM_MAX_MB: '16' });
    try {
      await ensureStreams(small.bus, streamLimitsOf(small.config));
      const stream = small.names.streams.events;
      // The writer's consumer, read by hand here: a writer that lags.
      const slow = small.names.consumers.writerEvents;
      await small.bus.jsm.consumers.add(stream, { durable_name: slow, ack_policy: AckPolicy.Explicit, ack_wait: nanos(60_000) });
      // Another consumer lagging as much is not the product's: it holds nothing back.
      await small.bus.jsm.consumers.add(stream, { durable_name: 'forgotten_reader', ack_policy: AckPolicy.Explicit, ack_wait: nanos(60_000) });
      // ≈ 16,000 events of ≈ 600 bytes: more than half the stream.
      const count = 16_000;
      const path = join(folder, 'large.ndjson');
      const pad = 'x'.repeat(130);
      writeFileSync(path, Array.from({ length: count }, (_, i) => JSON.stringify(payment(`big-${i}`, { purpose: pad, reference: pad }))).join('\n') + '\n');
      const out = capture();
      const replay = runReplay(small.config, { file: path }, out);
      await eventually(() => out.reports.find((l) => l.startsWith('replay: waiting: ')), 30_000, 'the replay to wait');
      expect(out.reports.find((l) => l.startsWith('replay: waiting: '))).toMatch(
        new RegExp(`^replay: waiting: \\d+ MiB of events unread \\(${slow} has not read them yet\\); a full stream would discard them, so the replay keeps pace with the slowest reader$`),
      );
      // The reader catches up: the replay goes on, and it has lost nothing.
      const consumer = await small.bus.js.consumers.get(stream, slow);
      let read = 0;
      let done = false;
      void replay.finally(() => (done = true));
      while (!done || read < count) {
        const batch = await consumer.fetch({ max_messages: 200, expires: 1000 });
        for await (const m of batch) {
          read += splitEnvelopeText(m.string()).length;
          m.ack();
        }
        if (done && read < count && (await consumerLag(small.bus, stream, slow))?.pending === 0) break;
      }
      expect(await replay).toMatchObject({ sent: count, refused: 0 });
      expect(out.reports.find((l) => l.startsWith('replay: waited '))).toMatch(/^replay: waited \d+ s in all \(\d+ times?\) for the slowest reader$/);
      expect(read).toBe(count);
    } finally {
      await small.cleanup();
    }
  }, 120_000);
});
