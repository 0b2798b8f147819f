// The operator's page: every process's heartbeat (rates per stage, consumer lag, stage latency,
// writer lag, CPU and memory, errors and dead letters) from the health topic, and the latest dead
// letters from the REST API.
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { DeadLettersAnswer, HealthView, ServerMessage } from '../../../server/protocol.js';
import type { Api } from '../api/http.js';
import { formatBytes, formatDateTimeZoned, formatDecimal, formatInteger, formatMs, formatPercent, utcText } from '../i18n/format.js';
import { LocaleController } from '../i18n/locale.js';
import { msg, type MessageKey } from '../i18n/messages.js';
import type { LiveConnection } from '../live/live-connection.js';
import { LiveTopicController, ReconnectController } from '../live/live-controller.js';
import { sharedStyles } from '../theme/theme.js';

type ProcessView = HealthView['processes'][number];

/** Under this much free, the data folder's disk is shown as nearly full: core/disk-space.ts's LOW_DISK_BYTES (that module reads the disk, so it stays out of the browser). */
const DATA_DISK_LOW_BYTES = 1024 ** 3;

const DEAD_LETTER_REFRESH_MS = 30_000;

/** System health; needs `api` and `live`. */
@customElement('rs-health-page')
export class RsHealthPage extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: grid;
        gap: 12px;
      }
      /* auto-fit, not auto-fill: the columns no process fills collapse, so one process takes the
         whole width (it was one 420 px card at the left of a wide window); min() keeps a narrow
         window to one column without overflowing it. */
      .procs {
        display: grid;
        grid-template-columns: repeat(auto-fit, minmax(min(420px, 100%), 1fr));
        gap: 12px;
      }
      /* The tables of a wide card side by side, one above the other in a narrow one: columns of
         at least 380 px (a stage's or consumer's name unbroken beside its figures), filled to
         even heights (the short stream and writer tables share one), a table never split. */
      .tables {
        columns: 380px;
        column-gap: 32px;
      }
      .tables > div {
        break-inside: avoid;
        /* padding, not the heading's margin: a margin at the top of a column is cut off, and the
           headings of the columns would not line up */
        padding-top: 10px;
      }
      .tables h3 {
        margin-top: 0;
      }
      .figures {
        display: grid;
        grid-template-columns: repeat(auto-fill, minmax(120px, 1fr));
        gap: 6px 12px;
        margin: 8px 0;
      }
      .figure span {
        display: block;
      }
      .figure .k {
        font-size: 0.75rem;
        color: var(--rs-text-dim);
      }
      .figure .v {
        font-size: 1.1rem;
        font-variant-numeric: tabular-nums;
      }
      .stale {
        border-color: var(--rs-error);
      }
      .bad {
        color: var(--rs-error);
        font-weight: 600;
      }
      h3 {
        font-size: 0.85rem;
        margin: 10px 0 4px;
        color: var(--rs-text-dim);
      }
      pre {
        white-space: pre-wrap;
        word-break: break-all;
        font-size: 0.75rem;
        max-height: 160px;
        overflow: auto;
        background: var(--rs-input);
        padding: 6px;
      }
    `,
  ];

  @property({ attribute: false }) api: Api | null = null;
  @property({ attribute: false }) live: LiveConnection | null = null;
  /** Whether the user's roles may read dead letters (operators): the panel is left out otherwise. */
  @property({ type: Boolean }) deadLetters = true;

  @state() private _view: HealthView | null = null;
  @state() private _deadLetters: DeadLettersAnswer['deadLetters'] | null = null;
  @state() private _deadLetterError: string | null = null;

  private readonly _locale = new LocaleController(this);
  private readonly _reconnect = new ReconnectController(
    this,
    () => this.live,
    () => {
      if (this._deadLetterError !== null) void this._loadDeadLetters();
    },
  );
  private readonly _health = new LiveTopicController(
    this,
    () => this.live,
    () => ({ type: 'subscribe', topic: 'health' }),
    (message) => this._onHealth(message),
  );
  private _timer: ReturnType<typeof setInterval> | null = null;

  override connectedCallback(): void {
    super.connectedCallback();
    void this._loadDeadLetters();
    this._timer = setInterval(() => void this._loadDeadLetters(), DEAD_LETTER_REFRESH_MS);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    if (this._timer !== null) clearInterval(this._timer);
    this._timer = null;
  }

  override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('live')) {
      this._health.resubscribe();
      this._reconnect.watch();
    }
    if (changed.has('api') && changed.get('api') === null) void this._loadDeadLetters();
  }

  override render() {
    const processes = this._view?.processes ?? [];
    return html`<h1>${msg('health.title')}</h1>
      <section aria-label=${msg('health.processes')}>
        ${processes.length === 0 ? html`<p class="dim">${msg('health.noProcesses')}</p>` : nothing}
        <div class="procs" data-testid="health-processes">${processes.map((p) => this._renderProcess(p))}</div>
      </section>
      ${this.deadLetters
        ? html`<section class="panel" data-testid="dead-letters">
            <h2>${msg('health.deadLetters')}</h2>
            ${this._renderDeadLetters()}
          </section>`
        : nothing}`;
  }

  private _renderProcess(p: ProcessView) {
    const rate = (value: number | undefined) => (value === undefined ? '—' : value >= 100 ? formatInteger(value) : formatDecimal(value, 1));
    const stages = Object.entries(p.stages).sort((a, b) => a[0].localeCompare(b[0]));
    const failing = p.writerFailingSeconds ?? {};
    const streams = Object.entries(p.streamFill ?? {}).sort((a, b) => a[0].localeCompare(b[0]));
    const writerSinks = [...new Set([...Object.keys(p.writerLagSeconds), ...Object.keys(failing)])];
    return html`<article class="panel ${p.stale ? 'stale' : ''}" data-testid="health-process" data-proc-id=${p.procId}>
      <h2>
        <span class="mono">${p.procId}</span>
        ${p.stale ? html`<span class="badge sev-critical">${msg('health.stale')}</span>` : nothing}
      </h2>
      <div class="dim">${msg('health.roles')}: ${p.roles.join(', ')} · ${p.host} · pid ${p.pid} · ${msg('health.uptime')} <span title=${utcText(p.startedAt)}>${formatDateTimeZoned(p.startedAt)}</span></div>
      ${p.ingestRefusing ? html`<p class="bad" data-testid="ingest-refusing" role="status">${msg('health.ingestRefusing')}</p>` : nothing}
      <div class="figures">
        ${figure(msg('health.eventsIn'), rate(p.rates?.eventsIn))} ${figure(msg('health.decisions'), rate(p.rates?.decisions))}
        ${figure(msg('health.alertsPerMinute'), rate(p.rates === null ? undefined : p.rates.alerts * 60))} ${figure(msg('health.rowsWritten'), rate(p.rates?.rowsWritten))}
        ${figure(msg('health.cpu'), formatPercent(p.cpuPercent / 100, 0))} ${figure(msg('health.memory'), formatBytes(p.rssBytes))}
        ${figure(msg('health.heap'), formatBytes(p.heapUsedBytes))} ${figure(msg('health.loopDelay'), formatMs(p.eventLoopDelayP99Ms))}
        ${figure(msg('health.rejected'), formatInteger(p.counters.eventsRejected), p.counters.eventsRejected > 0)}
        ${figure(msg('health.deadLettered'), formatInteger(p.counters.deadLettered), p.counters.deadLettered > 0)}
        ${p.dataDirFreeBytes === undefined ? nothing : figure(msg('health.dataDiskFree'), formatBytes(p.dataDirFreeBytes), p.dataDirFreeBytes < DATA_DISK_LOW_BYTES)}
      </div>
      ${renderThreads(p)}
      <div class="tables">
      ${stages.length === 0
        ? nothing
        : html`<div><h3>${msg('health.stages')}</h3>
            <table data-testid="stages">
              <thead>
                <tr>
                  <th>${msg('health.stage')}</th>
                  <th class="num">${msg('health.count')}</th>
                  <th class="num" title=${msg('health.quantileTitle')}>p50</th>
                  <th class="num" title=${msg('health.quantileTitle')}>p99</th>
                </tr>
              </thead>
              <tbody>
                ${stages.map(
                  ([name, s]) => html`<tr data-stage=${name}>
                    <td class="mono">${name}</td>
                    <td class="num">${formatInteger(s.count)}</td>
                    <td class="num">${quantileText(s.p50Ms, s.p50Beyond)}</td>
                    <td class="num">${quantileText(s.p99Ms, s.p99Beyond)}</td>
                  </tr>`,
                )}
              </tbody>
            </table></div>`}
      ${p.consumers.length === 0
        ? nothing
        : html`<div><h3>${msg('health.consumers')}</h3>
            <table>
              <thead>
                <tr>
                  <th>${msg('health.consumer')}</th>
                  <th class="num">${msg('health.pending')}</th>
                  <th class="num">${msg('health.ackPending')}</th>
                  <th class="num" title=${msg('health.discardedTitle')}>${msg('health.discarded')}</th>
                </tr>
              </thead>
              <tbody>
                ${p.consumers.map((c) => {
                  const lost = p.discardedUnread?.[c.name] ?? 0;
                  return html`<tr data-testid="consumer" data-consumer=${c.name}>
                    <td class="mono">${c.name}</td>
                    <td class="num ${c.pending > 10_000 ? 'bad' : ''}">${formatInteger(c.pending)}</td>
                    <td class="num">${formatInteger(c.ackPending)}</td>
                    <td class="num ${lost > 0 ? 'bad' : ''}">${formatInteger(lost)}</td>
                  </tr>`;
                })}
              </tbody>
            </table></div>`}
      ${streams.length === 0
        ? nothing
        : html`<div><h3>${msg('health.streams')}</h3>
            <table>
              <tbody>
                ${streams.map(
                  ([stream, fill]) => html`<tr data-testid="stream" data-stream=${stream}>
                    <td class="mono">${stream}</td>
                    <td class="num ${fill >= 0.8 ? 'bad' : ''}">${msg('health.fill', { value: formatPercent(fill, 0) })}</td>
                  </tr>`,
                )}
              </tbody>
            </table></div>`}
      ${writerSinks.length === 0
        ? nothing
        : html`<div><h3>${msg('health.writerLag')}</h3>
            <table>
              <tbody>
                ${writerSinks.map((sink) => {
                  const lag = p.writerLagSeconds[sink];
                  const failingFor = failing[sink] ?? 0;
                  return html`<tr data-testid="writer-sink" data-sink=${sink}>
                    <td class="mono">${sink}</td>
                    <td class="num ${lag !== undefined && lag > 30 ? 'bad' : ''}">${lag === undefined ? '—' : msg('health.seconds', { value: formatDecimal(lag, 1) })}</td>
                    <td class=${failingFor > 0 ? 'bad' : 'dim'}>
                      ${failingFor > 0 ? msg('health.insertsFailing', { value: formatInteger(Math.round(failingFor)) }) : msg('health.insertsOk')}
                    </td>
                  </tr>`;
                })}
              </tbody>
            </table></div>`}
      </div>
    </article>`;
  }

  private _renderDeadLetters() {
    if (this._deadLetterError !== null) return html`<p class="error">${msg('app.error', { message: this._deadLetterError })}</p>`;
    const letters = this._deadLetters;
    if (letters === null) return html`<p class="dim">${msg('app.loading')}</p>`;
    if (letters.length === 0) return html`<p class="dim">${msg('health.noDeadLetters')}</p>`;
    return html`<table>
      <thead>
        <tr>
          <th>${msg('health.at')}</th>
          <th>${msg('health.source')}</th>
          <th>${msg('health.code')}</th>
          <th>${msg('health.reason')}</th>
          <th>${msg('health.subject')}</th>
        </tr>
      </thead>
      <tbody>
        ${letters.map(
          (d) => html`<tr>
            <td title=${utcText(d.at)}>${formatDateTimeZoned(d.at)}</td>
            <td>${d.source}</td>
            <td class="mono">${d.code}</td>
            <td>
              ${d.reason}
              <details>
                <summary class="dim">${formatBytes(d.payloadBytes)}</summary>
                <pre>${d.payload}</pre>
              </details>
            </td>
            <td class="mono">${d.subject}</td>
          </tr>`,
        )}
      </tbody>
    </table>`;
  }

  private _onHealth(message: ServerMessage): void {
    if (message.type === 'health') this._view = message.view;
  }

  private async _loadDeadLetters(): Promise<void> {
    if (this.api === null || !this.deadLetters) return;
    try {
      const answer = await this.api.get<DeadLettersAnswer>('/api/system/dead-letters', { limit: 50 });
      this._deadLetters = answer.deadLetters;
      this._deadLetterError = null;
    } catch (error) {
      this._deadLetterError = error instanceof Error ? error.message : String(error);
    }
  }
}

/** The thread groups of rs_thread_cpu_seconds_total, by the name the page gives them. */
const THREAD_LABELS: Readonly<Record<string, MessageKey>> = {
  main: 'health.threadMain',
  processors: 'health.threadProcessors',
  writer_mapping: 'health.threadWriterMapping',
  storage_engine: 'health.threadStorageEngine',
  runtime: 'health.threadRuntime',
};

/** Which part of the process uses its CPU, busiest first; nothing when the heartbeat does not say. */
function renderThreads(p: ProcessView) {
  const threads = Object.entries(p.cpuByThread ?? {})
    .filter((entry): entry is [string, number] => typeof entry[1] === 'number' && Number.isFinite(entry[1]) && entry[1] >= 0)
    .sort((a, b) => b[1] - a[1]);
  if (threads.length === 0) return nothing;
  return html`<div class="dim" data-testid="cpu-by-thread" title=${msg('health.cpuByThreadTitle')}>
    ${msg('health.cpuByThread')}:
    ${threads.map(
      ([thread, percent], i) =>
        html`${i > 0 ? ' · ' : ''}<span data-thread=${thread}>${THREAD_LABELS[thread] ? msg(THREAD_LABELS[thread]) : thread} ${formatPercent(percent / 100, 0)}</span>`,
    )}
  </div>`;
}

/**
 * A stage's quantile as what it is: the heartbeat reports the upper edge of the histogram bucket
 * that holds it (core/heartbeat.ts), so 5, 25, 100 ms are bucket edges, not measurements. Said as
 * "≤ 25 ms" rather than interpolated within the bucket as Prometheus's histogram_quantile does:
 * that assumes the observations spread evenly over a bucket 1.5 to 3 times as wide as the one
 * below, so it would print a precise-looking "17.3 ms" that may be off by most of the bucket, and
 * processes of older releases would go on sending edges the page could not tell apart. A quantile in
 * the +Inf bucket (`beyond`) has no upper edge: "> 300,000 ms", above the largest finite one.
 */
export function quantileText(ms: number | null, beyond: boolean | undefined): string {
  if (ms === null) return '—';
  return msg(beyond ? 'health.above' : 'health.atMost', { value: formatMs(ms) });
}

function figure(label: string, value: string, bad = false) {
  return html`<div class="figure"><span class="k">${label}</span><span class="v ${bad ? 'bad' : ''}">${value}</span></div>`;
}

declare global {
  interface HTMLElementTagNameMap {
    'rs-health-page': RsHealthPage;
  }
}
