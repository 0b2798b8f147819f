// One alert in full for a compliance officer: what was raised, the decision's reasons (points,
// scorer, words), the features the scorers saw, the event as stored (masked as the server gives
// it), and the way on to the account.
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { AlertDetailAnswer } from '../../../server/protocol.js';
import { accountHref } from '../app/routes.js';
import { ApiError, type Api } from '../api/http.js';
import type { Reason } from '../api/wire.js';
import { formatDateTimeZoned, formatInteger, formatMoney, formatMs, utcText } from '../i18n/format.js';
import { LocaleController } from '../i18n/locale.js';
import { featureText, msg, reasonText, scorerText, typologyText, valueText } from '../i18n/messages.js';
import type { LiveConnection } from '../live/live-connection.js';
import { ReconnectController } from '../live/live-controller.js';
import { sharedStyles } from '../theme/theme.js';
import { feedHref } from './alert-filter.js';
import { eventFields, type FieldRow } from './event-fields.js';
import { featureCell } from './feature-format.js';

/** Alert detail; loads GET /api/alerts/:id whenever `alertId` changes. */
@customElement('rs-alert-detail')
export class RsAlertDetail extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host,
      section[data-testid='alert-detail'] {
        display: grid;
        gap: 12px;
      }
      p,
      h1 {
        margin: 0;
      }
      .cols {
        display: grid;
        grid-template-columns: repeat(auto-fit, minmax(min(380px, 100%), 1fr));
        gap: 12px;
      }
      .points {
        font-variant-numeric: tabular-nums;
        text-align: right;
        white-space: nowrap;
      }
      .scroll {
        max-height: 420px;
        overflow: auto;
      }
      .note {
        margin-top: 8px;
        font-size: 0.85rem;
      }
      .ground-truth {
        margin-top: 12px;
        border: 1px dashed var(--rs-border-strong);
        border-radius: 6px;
        padding: 8px;
      }
      .ground-truth h3 {
        margin: 0 0 6px;
        font-size: 0.85rem;
        font-weight: 600;
        color: var(--rs-focus);
      }
      /* field paths whole (debtor.accountId), values wrap instead */
      .path {
        white-space: nowrap;
      }
    `,
  ];

  @property({ attribute: false }) api: Api | null = null;
  /** Only to load again when the connection comes back after a failed load. */
  @property({ attribute: false }) live: LiveConnection | null = null;
  @property() alertId = '';

  @state() private _answer: AlertDetailAnswer | null = null;
  @state() private _error: string | null = null;
  /** The alert is not there (not in the last 7 days, or not for this role). */
  @state() private _notFound = false;

  private readonly _locale = new LocaleController(this);
  private readonly _reconnect = new ReconnectController(
    this,
    () => this.live,
    () => {
      if (this._error !== null) void this._load();
    },
  );
  private _request = 0;

  override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('live')) this._reconnect.watch();
    if ((changed.has('alertId') || changed.has('api')) && this.api !== null && this.alertId !== '') void this._load();
  }

  override render() {
    const answer = this._answer;
    const waiting = answer === null && this._error === null && !this._notFound;
    return html`<section data-testid="alert-detail" aria-busy=${waiting ? 'true' : 'false'}>
      <p><a href="${feedHref()}">← ${msg('detail.back')}</a></p>
      <h1>${msg('detail.title', { id: this.alertId })}</h1>
      ${this._error !== null ? html`<p class="error" role="alert">${msg('app.error', { message: this._error })}</p>` : nothing}
      ${this._notFound ? html`<p role="alert" data-testid="alert-not-found">${msg('detail.notFound')}</p>` : nothing}
      ${answer === null ? (waiting ? html`<p class="dim">${msg('app.loading')}</p>` : nothing) : this._renderAnswer(answer)}
    </section>`;
  }

  private _renderAnswer(answer: AlertDetailAnswer) {
    const { alert, decision, event } = answer;
    const reasons: readonly Reason[] = decision?.reasons ?? alert.reasons;
    return html`<div class="cols">
        <section class="panel">
          <h2>${msg('detail.alert')}</h2>
          <dl>
            <dt>${msg('alerts.colSeverity')}</dt>
            <dd><span class="badge sev-${alert.severity}">${valueText(alert.severity)}</span></dd>
            <dt>${msg('alerts.colDomain')}</dt>
            <dd>${valueText(alert.domain)}</dd>
            <dt>${msg('alerts.colTypology')}</dt>
            <dd data-testid="detail-typology" title=${alert.typology}>${typologyText(alert.typology)}</dd>
            <dt>${msg('detail.score')}</dt>
            <dd>${formatInteger(alert.score)}</dd>
            <dt>${msg('detail.amount')}</dt>
            <dd>${formatMoney(alert.amount, alert.currency)}</dd>
            <dt>${msg('alerts.colSegment')}</dt>
            <dd>${valueText(alert.segment)}</dd>
            <dt>${msg('detail.created')}</dt>
            <dd title=${utcText(alert.createdAt)}>${formatDateTimeZoned(alert.createdAt)}</dd>
            <dt>${msg('detail.eventTime')}</dt>
            <dd title=${utcText(alert.ts)}>${formatDateTimeZoned(alert.ts)}</dd>
            <dt>${msg('detail.account')}</dt>
            <dd>
              <a data-testid="account-link" href=${accountHref(alert.accountId)} aria-label=${msg('detail.openAccount', { id: alert.accountId })}
                >${alert.accountId}</a
              >
            </dd>
          </dl>
        </section>
        <section class="panel">
          <h2>${msg('detail.decision')}</h2>
          ${decision === null
            ? html`<p class="dim">${msg('detail.noDecision')}</p>`
            : html`<dl>
                <dt>${msg('detail.action')}</dt>
                <dd><span class="badge act-${decision.action}">${valueText(decision.action)}</span></dd>
                <dt>${msg('detail.score')}</dt>
                <dd>${formatInteger(decision.score)}</dd>
                <dt>${msg('detail.latency')}</dt>
                <dd>${decision.latencyMs.total === null ? formatMs(decision.latencyMs.processing) : formatMs(decision.latencyMs.total)}</dd>
                <dt>${msg('detail.models')}</dt>
                <dd>${Object.entries(decision.models).map(([scorer, version]) => html`<div><span title=${scorer}>${scorerText(scorer)}</span>: <span class="mono">${version}</span></div>`)}</dd>
              </dl>`}
        </section>
      </div>
      <section class="panel">
        <h2>${msg('detail.reasons')}</h2>
        <div class="table-scroll"><table data-testid="detail-reasons">
          <thead>
            <tr>
              <th class="num">${msg('detail.points')}</th>
              <th>${msg('detail.scorer')}</th>
              <th>${msg('detail.reason')}</th>
            </tr>
          </thead>
          <tbody>
            ${[...reasons]
              .sort((a, b) => b.points - a.points)
              .map(
                (reason) => html`<tr>
                  <td class="points">${reason.points > 0 ? '+' : ''}${formatInteger(reason.points)}</td>
                  <td title=${reason.scorer}>${scorerText(reason.scorer)}</td>
                  <td>${reasonText(reason)} <span class="dim mono">${reason.code}</span></td>
                </tr>`,
              )}
          </tbody>
        </table></div>
        ${reasons.some((r) => r.scorer === 'fraud_rules') ? html`<p class="dim note" data-testid="score-note">${msg('detail.scoreNote')}</p>` : nothing}
      </section>
      <div class="cols">
        <section class="panel">
          <h2>${msg('detail.features')}</h2>
          ${decision === null
            ? html`<p class="dim">${msg('detail.noDecision')}</p>`
            : html`<div class="scroll">
                <table data-testid="detail-features">
                  <thead>
                    <tr>
                      <th>${msg('detail.feature')}</th>
                      <th class="num">${msg('detail.value')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    ${Object.entries(decision.features)
                      .sort((a, b) => featureText(a[0]).localeCompare(featureText(b[0])))
                      .map(([name, value]) => {
                        const cell = featureCell(name, value);
                        return html`<tr><td title=${name}>${featureText(name)}</td><td class="num" title=${cell.title ?? nothing}>${cell.text}</td></tr>`;
                      })}
                  </tbody>
                </table>
              </div>`}
        </section>
        <section class="panel">
          <h2>${msg('detail.event')}</h2>
          ${event === null ? html`<p class="dim">${msg('detail.noEvent')}</p>` : this._renderEvent(event)}
        </section>
      </div>`;
  }

  /** The event's fields; the simulator's ground truth (`labels`) apart and marked, never mixed with what scorers read. */
  private _renderEvent(event: Readonly<Record<string, unknown>>) {
    const rows = eventFields(event);
    const fields = rows.filter((row) => !isGroundTruth(row.path));
    const truth = rows.filter((row) => isGroundTruth(row.path));
    const table = (list: readonly FieldRow[], testId: string) =>
      html`<table data-testid=${testId}>
        <thead>
          <tr>
            <th>${msg('detail.field')}</th>
            <th>${msg('detail.value')}</th>
          </tr>
        </thead>
        <tbody>
          ${list.map(
            (row) =>
              html`<tr>
                <td class="mono path">${row.path}</td>
                ${row.time === undefined ? html`<td>${row.value}</td>` : html`<td title=${row.value}>${formatDateTimeZoned(row.time)}</td>`}
              </tr>`,
          )}
        </tbody>
      </table>`;
    return html`<div class="scroll">${table(fields, 'detail-event')}</div>
      ${truth.length === 0
        ? nothing
        : html`<div class="ground-truth" data-testid="ground-truth">
            <h3>${msg('detail.groundTruth')}</h3>
            ${table(truth, 'detail-ground-truth')}
          </div>`}`;
  }

  private async _load(): Promise<void> {
    if (this.api === null) return;
    const request = ++this._request;
    this._answer = null;
    this._error = null;
    this._notFound = false;
    // A live alert can be opened before the writer has stored it (about a second behind the
    // stream): a 404 is asked again briefly, and an alert stored without its decision or event
    // yet is asked again a little longer, until they are in.
    for (let attempt = 0; ; attempt++) {
      try {
        const answer = await this.api.get<AlertDetailAnswer>(`/api/alerts/${encodeURIComponent(this.alertId)}`);
        if (request !== this._request) return;
        this._answer = answer;
        this._error = null;
        if ((answer.decision !== null && answer.event !== null) || attempt >= STORAGE_RETRIES) return;
      } catch (error) {
        if (request !== this._request) return;
        const missing = error instanceof ApiError && (error.status === 404 || error.status === 403);
        if (missing && (error.status === 403 || attempt >= NOT_FOUND_RETRIES)) {
          // The server's words mention query parameters this page cannot pass: say it plainly.
          this._notFound = true;
          return;
        }
        if (!missing) {
          this._error = error instanceof Error ? error.message : String(error);
          return;
        }
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(4000, 250 * 2 ** attempt)));
      if (request !== this._request) return;
    }
  }
}

function isGroundTruth(path: string): boolean {
  return path === 'labels' || path.startsWith('labels.');
}

/** Attempts after the first while storage catches up with an alert's decision and event (about 20 s in all). */
const STORAGE_RETRIES = 7;
/** Attempts after a first 404 (250 + 500 + 1000 ms): a just-raised alert is stored within about a second. */
const NOT_FOUND_RETRIES = 3;

declare global {
  interface HTMLElementTagNameMap {
    'rs-alert-detail': RsAlertDetail;
  }
}
