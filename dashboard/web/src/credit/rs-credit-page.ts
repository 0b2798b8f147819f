// The credit officer's page: loans applied, decided (approve / refer / decline), disbursed, repaid
// and missed as they stream in (KpiTick.byKind over the last 60 s), the per-minute history from
// GET /api/credit/summary, and the portfolio slots still to come.
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { CreditSummaryAnswer, ServerMessage } from '../../../server/protocol.js';
import type { Api } from '../api/http.js';
import { formatInteger, formatMoney, formatTime } from '../i18n/format.js';
import { LocaleController } from '../i18n/locale.js';
import { msg } from '../i18n/messages.js';
import type { LiveConnection } from '../live/live-connection.js';
import { LiveTopicController, ReconnectController } from '../live/live-controller.js';
import { historySeconds, latestTick, loanApplicationsOf, mergeTicks, minuteSteps, STORED_MINUTE_SETTLE_MS, storedMinutesBefore, type HeldSecond } from '../overview/kpi-series.js';
import '../overview/rs-time-series.js';
import { PALETTE, sharedStyles } from '../theme/theme.js';
import { CREDIT_PANELS, LOAN_KINDS, type CreditPanel, type LoanKind } from './credit-panels.js';

/** The minutes the history panel reads (its title says so: 'History (60 min)'). */
const HISTORY_MINUTES = 60;

const KIND_TITLE: Readonly<Record<LoanKind, 'credit.applied' | 'credit.disbursed' | 'credit.repaid' | 'credit.missed'>> = {
  'loan.application': 'credit.applied',
  'loan.disbursement': 'credit.disbursed',
  'loan.repayment': 'credit.repaid',
  'loan.missed_payment': 'credit.missed',
};

/** Credit page; needs `api` and `live`. */
@customElement('rs-credit-page')
export class RsCreditPage extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
      }
      .grid {
        display: grid;
        grid-template-columns: repeat(auto-fill, minmax(min(300px, 100%), 1fr));
        gap: 12px;
      }
      .span-2 {
        grid-column: span 2;
      }
      /* the history table's headers wrap rather than widen the panel */
      .history th {
        white-space: normal;
      }
      @media (max-width: 620px) {
        .span-2 {
          grid-column: auto;
        }
      }
      .big {
        font-size: 2rem;
        font-weight: 650;
        font-variant-numeric: tabular-nums;
      }
      .split {
        display: flex;
        gap: 10px;
        flex-wrap: wrap;
        font-size: 0.85rem;
        margin-top: 4px;
      }
      .pending {
        border-style: dashed;
        opacity: 0.85;
      }
      .tag {
        font-size: 0.75rem;
        color: var(--rs-text-dim);
        border: 1px solid var(--rs-border-strong);
        border-radius: 4px;
        padding: 0 6px;
      }
    `,
  ];

  @property({ attribute: false }) api: Api | null = null;
  @property({ attribute: false }) live: LiveConnection | null = null;

  @state() private _ticks: HeldSecond[] = [];
  @state() private _summary: CreditSummaryAnswer | null = null;
  @state() private _summaryFailed = false;
  /** When `_summary` was read. */
  private _summaryReadAt = 0;

  private readonly _locale = new LocaleController(this);
  private readonly _reconnect = new ReconnectController(
    this,
    () => this.live,
    () => {
      if (this._summaryFailed) void this._loadSummary();
    },
  );
  private readonly _kpi = new LiveTopicController(
    this,
    () => this.live,
    () => ({ type: 'subscribe', topic: 'kpi' }),
    (message) => this._onKpi(message),
  );

  override connectedCallback(): void {
    super.connectedCallback();
    void this._loadSummary();
  }

  override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('live')) {
      this._kpi.resubscribe();
      this._reconnect.watch();
    }
    if (changed.has('api') && changed.get('api') === null) void this._loadSummary();
  }

  override render() {
    return html`<h1>${msg('credit.title')}</h1>
      <div class="grid">${CREDIT_PANELS.map((panel) => this._renderPanel(panel))}</div>`;
  }

  private _renderPanel(panel: CreditPanel) {
    return html`<section
      class="panel ${panel.span === 2 ? 'span-2' : ''} ${panel.state === 'pending' ? 'pending' : ''}"
      data-testid="credit-panel-${panel.id}"
      data-state=${panel.state}
      aria-labelledby="credit-${panel.id}"
    >
      <h2 id="credit-${panel.id}">${msg(panel.title)} ${panel.state === 'live' ? html`<span class="tag">${msg('credit.live')}</span>` : nothing}</h2>
      ${this._panelBody(panel)}
    </section>`;
  }

  private _panelBody(panel: CreditPanel) {
    const latest = latestTick(this._ticks) ?? undefined;
    switch (panel.state) {
      case 'live': {
        const counts = latest?.byKind[panel.kind];
        return html`<div class="big" data-testid="credit-count">${counts === undefined ? (latest === undefined ? '—' : formatInteger(0)) : formatInteger(counts.count)}</div>
          ${counts === undefined
            ? nothing
            : html`<div class="split">
                ${panel.kind === 'loan.application'
                  ? html`<span><span class="badge act-allow">${msg('credit.approved')}</span> ${formatInteger(counts.allow)}</span>
                      <span><span class="badge act-review">${msg('credit.referred')}</span> ${formatInteger(counts.review)}</span>
                      <span><span class="badge act-block">${msg('credit.declined')}</span> ${formatInteger(counts.block)}</span>`
                  : nothing}
                <span class="dim" data-testid="credit-amount">${msg('credit.amount')}: ${formatMoney(counts.amountUsd, 'USD')}</span>
              </div>`}`;
      }
      case 'chart': {
        const to = latest?.at ?? Date.now();
        // After a server restart the hub holds seconds only from its start: the stored minutes
        // before it (decisions in a minute, as the ticks count the last 60 s) fill the rest.
        const stored = storedMinutesBefore(this._ticks, this._summary?.minutes ?? []);
        const storedPick = { allow: 'allowed', review: 'reviewed', block: 'blocked' } as const;
        const series = (pick: 'allow' | 'review' | 'block') => [
          ...minuteSteps(stored, (m) => m.byKind['loan.application']?.[storedPick[pick]] ?? 0),
          ...this._ticks.map((t) => ({ t: t.at, v: loanApplicationsOf(t)[pick] })),
        ];
        return html`${latest !== undefined && latest.since > to - 15 * 60_000
            ? html`<p class="dim" data-testid="credit-seconds-since" data-filled=${stored.length > 0 ? 'true' : 'false'}>
                ${msg(stored.length > 0 ? 'overview.secondsSinceFilled' : 'overview.secondsSince', { time: formatTime(latest.since) })}
              </p>`
            : nothing}
          <rs-time-series
          .label=${msg('credit.chartDecisions')}
          .from=${to - 15 * 60_000}
          .to=${to}
          .formatValue=${formatInteger}
          .series=${[
            { name: msg('credit.approved'), colour: PALETTE.allow, points: series('allow') },
            { name: msg('credit.referred'), colour: PALETTE.review, points: series('review'), dashed: true },
            { name: msg('credit.declined'), colour: PALETTE.block, points: series('block') },
          ]}
        ></rs-time-series>`;
      }
      case 'history':
        return this._renderHistory();
      case 'pending':
        return html`<p><span class="tag">${msg('credit.notYet')}</span></p>
          <p class="dim">${msg(panel.why)}</p>`;
    }
  }

  private _renderHistory() {
    const summary = this._summary;
    if (summary === null) return html`<p class="dim">${this._summaryFailed ? msg('credit.historyUnavailable') : msg('app.loading')}</p>`;
    // A minute not over when the summary was read (or over only moments before: the writer stores
    // about a second behind) holds part of its loans: drawn, it read as a fall to 0 at the right edge.
    // The totals below still count it.
    const minutes = summary.minutes.filter((m) => m.minute + 60_000 + STORED_MINUTE_SETTLE_MS <= this._summaryReadAt);
    const to = minutes.length > 0 ? minutes[minutes.length - 1]!.minute : Date.now();
    const series = (pick: 'allowed' | 'reviewed' | 'blocked') => minutes.map((m) => ({ t: m.minute, v: m.byKind['loan.application']?.[pick] ?? 0 }));
    return html`<rs-time-series
        .label=${msg('credit.chartDecisions')}
        .from=${minutes.length > 0 ? minutes[0]!.minute : to - 60 * 60_000}
        .to=${to}
        .formatValue=${formatInteger}
        .series=${[
          { name: msg('credit.approved'), colour: PALETTE.allow, points: series('allowed') },
          { name: msg('credit.referred'), colour: PALETTE.review, points: series('reviewed'), dashed: true },
          { name: msg('credit.declined'), colour: PALETTE.block, points: series('blocked') },
        ]}
      ></rs-time-series>
      <p class="dim" data-testid="credit-not-scored">${msg('credit.notScored')}</p>
      <div class="table-scroll history"><table data-testid="credit-totals">
        <thead>
          <tr>
            <th></th>
            <th class="num">${msg('credit.colDecided')}</th>
            <th class="num">${msg('credit.colAllowed')}</th>
            <th class="num">${msg('credit.colReviewed')}</th>
            <th class="num">${msg('credit.colBlocked')}</th>
            <th class="num">${msg('credit.amount')}</th>
          </tr>
        </thead>
        <tbody>
          ${LOAN_KINDS.map((kind) => {
            const t = summary.totals[kind];
            return html`<tr>
              <th>${msg(KIND_TITLE[kind])}</th>
              <td class="num">${formatInteger(t?.decisions ?? 0)}</td>
              <td class="num">${formatInteger(t?.allowed ?? 0)}</td>
              <td class="num">${formatInteger(t?.reviewed ?? 0)}</td>
              <td class="num">${formatInteger(t?.blocked ?? 0)}</td>
              <td class="num">${formatMoney(t?.amountUsd ?? '0', 'USD')}</td>
            </tr>`;
          })}
        </tbody>
      </table></div>`;
  }

  private _onKpi(message: ServerMessage): void {
    if (message.type === 'kpi-history') this._ticks = mergeTicks(this._ticks, historySeconds(message));
    else if (message.type === 'kpi') this._ticks = mergeTicks<HeldSecond>(this._ticks, [message.tick]);
  }

  private async _loadSummary(): Promise<void> {
    if (this.api === null) return;
    try {
      const readAt = Date.now();
      const summary = await this.api.get<CreditSummaryAnswer>('/api/credit/summary', { minutes: HISTORY_MINUTES });
      this._summaryReadAt = readAt;
      this._summary = summary;
      this._summaryFailed = false;
    } catch {
      this._summaryFailed = true;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'rs-credit-page': RsCreditPage;
  }
}
