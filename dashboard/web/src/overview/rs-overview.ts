// The overview page for risk monitors: headline tiles, throughput and latency over time, the score
// distribution, alerts by typology and the money corridors, all live from the kpi topic.
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { KpiHistoryAnswer, ServerMessage } from '../../../server/protocol.js';
import type { Api } from '../api/http.js';
import { formatInteger, formatMs, formatTime } from '../i18n/format.js';
import { LocaleController, onLocaleChange } from '../i18n/locale.js';
import { msg } from '../i18n/messages.js';
import type { LiveConnection } from '../live/live-connection.js';
import { ConnectionStateController, LiveTopicController } from '../live/live-controller.js';
import { PALETTE, sharedStyles } from '../theme/theme.js';
import './rs-corridor-flows.js';
import { NO_VALUE, latencyText, tileTexts, tileTrend } from './kpi-tiles.js';
import { historySeconds, latestTick, mergeTicks, minuteSeries, secondSeries, storedMinutesBefore, type HeldSecond, type KpiSeries } from './kpi-series.js';
import './rs-kpi-tile.js';
import './rs-score-histogram.js';
import './rs-time-series.js';
import './rs-typology-bars.js';

type Range = 15 | 60;
const SUMMARY_EVERY_MS = 15_000;

/** The overview. Needs `api` (history) and `live` (the kpi topic). */

/** The window of the alerts-by-typology chart (the hub's KPI_RETAIN_SECONDS). */
const TYPOLOGY_WINDOW_MS = 15 * 60_000;
@customElement('rs-overview')
export class RsOverview extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: grid;
        gap: 12px;
      }
      .tiles {
        display: grid;
        grid-template-columns: repeat(auto-fit, minmax(180px, 1fr));
        gap: 12px;
      }
      .charts {
        display: grid;
        grid-template-columns: repeat(auto-fit, minmax(min(100%, 520px), 1fr));
        gap: 12px;
      }
      .wide {
        grid-column: 1 / -1;
      }
      .head {
        display: flex;
        justify-content: space-between;
        align-items: center;
        gap: 8px;
      }
      .figures {
        display: grid;
        gap: 12px;
      }
      /* Not live: the figures are the last ones received; greyed so they cannot pass for current. */
      .stale .tiles,
      .stale .charts {
        opacity: 0.45;
        filter: grayscale(1);
      }
      .stale-banner {
        margin: 0;
        padding: 8px 12px;
        border: 1px solid #6b5a12;
        border-radius: 6px;
        background: #2a2410;
      }
      .range button[aria-pressed='true'] {
        border-color: var(--rs-accent);
        background: #16314a;
      }
    `,
  ];

  @property({ attribute: false }) api: Api | null = null;
  @property({ attribute: false }) live: LiveConnection | null = null;

  @state() private _ticks: HeldSecond[] = [];
  @state() private _minutes: KpiHistoryAnswer['minutes'] = [];
  /** When `_minutes` were read: a minute not yet over then holds part of its decisions for good. */
  private _minutesReadAt = 0;
  @state() private _range: Range = 15;
  @state() private _summary = '';

  private readonly _locale = new LocaleController(this);
  private readonly _kpi = new LiveTopicController(
    this,
    () => this.live,
    () => ({ type: 'subscribe', topic: 'kpi' }),
    (message) => this._onKpi(message),
  );
  private readonly _connection = new ConnectionStateController(this, () => this.live);
  private _series: KpiSeries = { eventsPerSecond: [], p50: [], p99: [] };
  /** The 15-minute charts begin with stored minutes: the hub holds seconds only from its start. */
  private _filledFromStorage = false;
  private _summaryAt = 0;
  private _offLocale: (() => void) | null = null;
  /** The last load of the 60-minute history failed (the server was away): tried again on the next history from the socket. */
  private _historyFailed = false;

  override connectedCallback(): void {
    super.connectedCallback();
    void this._loadHistory();
    // the screen-reader summary is text in the old language: written again at once, not at the next 15 s
    this._offLocale = onLocaleChange(() => {
      this._summaryAt = 0;
      this._updateSummary();
    });
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this._offLocale?.();
    this._offLocale = null;
  }

  override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('live')) {
      this._kpi.resubscribe();
      this._connection.watch();
    }
    if (changed.has('api') && changed.get('api') === null) void this._loadHistory();
    if (changed.has('_ticks') || changed.has('_minutes') || changed.has('_range')) {
      this._series = this._range === 15 ? secondSeries(this._ticks, this._minutes) : minuteSeries(this._minutes, this._ticks, this._minutesReadAt);
      this._filledFromStorage = this._range === 15 && storedMinutesBefore(this._ticks, this._minutes).length > 0;
    }
  }

  override render() {
    const latest = latestTick(this._ticks);
    const to = latest?.at ?? Date.now();
    const from = to - this._range * 60_000;
    const rangeText = this._range === 15 ? msg('overview.range15') : msg('overview.range60');
    const stale = this._connection.status !== 'live' && this._connection.status !== 'connecting';
    return html`
      <h1 class="visually-hidden">${msg('overview.title')}</h1>
      <p class="visually-hidden" aria-live="polite" aria-atomic="true">${this._summary}</p>
      ${stale && latest !== null
        ? html`<p class="stale-banner" role="status" data-testid="overview-stale">
            ${msg('overview.stale', { time: formatTime(latest.at) })}
          </p>`
        : nothing}
      <div class="figures ${stale ? 'stale' : ''}" data-testid="overview-figures" data-stale=${stale ? 'true' : 'false'}>
      <section class="tiles" aria-label=${msg('overview.title')}>
        ${tileTexts(latest).map(
          (tile) => html`<rs-kpi-tile
            data-testid=${`tile-${tile.id}`}
            .label=${msg(tile.label)}
            .value=${tile.value}
            .note=${tile.note}
            .trend=${tileTrend(tile.id, this._ticks)}
          ></rs-kpi-tile>`,
        )}
      </section>
      <div class="charts">
        <section class="panel wide">
          <div class="head">
            <h2>${msg('overview.throughput')} · ${msg('overview.latency')}</h2>
            <div class="range" role="group" aria-label=${msg('overview.rangeLabel')}>
              <button aria-pressed=${this._range === 15 ? 'true' : 'false'} @click=${() => this._setRange(15)}>${msg('overview.range15')}</button>
              <button aria-pressed=${this._range === 60 ? 'true' : 'false'} @click=${() => this._setRange(60)}>${msg('overview.range60')}</button>
            </div>
          </div>
          ${this._range === 15 && latest !== null && latest.since > from
            ? html`<p class="dim" data-testid="seconds-since" data-filled=${this._filledFromStorage ? 'true' : 'false'}>
                ${msg(this._filledFromStorage ? 'overview.secondsSinceFilled' : 'overview.secondsSince', { time: formatTime(latest.since) })}
              </p>`
            : nothing}
          <div class="charts">
            <rs-time-series
              data-testid="chart-throughput"
              .label=${msg('overview.chartThroughput', { range: rangeText })}
              .from=${from}
              .to=${to}
              .formatValue=${formatInteger}
              .series=${[{ name: msg('overview.eventsPerSecond'), colour: PALETTE.series1, points: this._series.eventsPerSecond }]}
            ></rs-time-series>
            <rs-time-series
              data-testid="chart-latency"
              .label=${msg('overview.chartLatency', { range: rangeText })}
              .from=${from}
              .to=${to}
              .formatValue=${formatMs}
              .series=${[
                { name: msg('overview.p50'), colour: PALETTE.series3, points: this._series.p50, dashed: true },
                { name: msg('overview.p99'), colour: PALETTE.series2, points: this._series.p99 },
              ]}
            ></rs-time-series>
          </div>
        </section>
        <section class="panel">
          <h2>${msg('overview.scoreDistribution')}</h2>
          <rs-score-histogram data-testid="chart-scores" .label=${msg('overview.chartScores')} .buckets=${latest?.scores ?? []}></rs-score-histogram>
        </section>
        <section class="panel">
          <h2>${msg('overview.alertsByTypology')}</h2>
          ${latest && latest.since > latest.at - TYPOLOGY_WINDOW_MS
            ? html`<p class="dim" data-testid="typology-since">${msg('overview.windowSince', { time: formatTime(latest.since) })}</p>`
            : nothing}
          <rs-typology-bars
            data-testid="chart-typology"
            .label=${msg('overview.chartTypology')}
            .emptyText=${msg('overview.noData')}
            .counts=${latest?.alertsByTypology ?? {}}
          ></rs-typology-bars>
        </section>
        <section class="panel wide">
          <h2>${msg('overview.corridors')}</h2>
          <rs-corridor-flows data-testid="chart-corridors" .label=${msg('overview.chartCorridors')} .corridors=${latest?.corridors ?? []}></rs-corridor-flows>
        </section>
      </div>
      </div>
    `;
  }

  private _onKpi(message: ServerMessage): void {
    if (message.type === 'kpi-history') {
      this._ticks = mergeTicks(this._ticks, historySeconds(message));
      // the history is sent at every (re)subscription: the server is back, so is the 60-minute view
      if (this._historyFailed) void this._loadHistory();
    } else if (message.type === 'kpi') this._ticks = mergeTicks<HeldSecond>(this._ticks, [message.tick]);
    else return;
    this._updateSummary();
  }

  /** A screen-reader summary, at most every 15 s: per-second announcements would drown the reader. */
  private _updateSummary(): void {
    const latest = latestTick(this._ticks);
    if (latest === null || latest.at - this._summaryAt < SUMMARY_EVERY_MS) return;
    this._summaryAt = latest.at;
    this._summary = msg('overview.summary', {
      events: formatInteger(latest.decisionsPerSecond),
      latency: latest.latencyP99Ms === null ? NO_VALUE : latencyText(latest.latencyP99Ms, latest.latencyP99Beyond),
      alerts: formatInteger(latest.alertsPerMinute),
    });
  }

  private _setRange(range: Range): void {
    this._range = range;
  }

  private async _loadHistory(): Promise<void> {
    if (this.api === null) return;
    try {
      const readAt = Date.now();
      const answer = await this.api.get<KpiHistoryAnswer>('/api/kpis', { minutes: 60 });
      this._minutesReadAt = readAt;
      this._minutes = answer.minutes;
      this._historyFailed = false;
    } catch {
      // The live ticks still fill the charts meanwhile; loaded again when the connection is back.
      this._historyFailed = true;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'rs-overview': RsOverview;
  }
}
