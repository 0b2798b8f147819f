// An account for a compliance officer: who it is, its totals, its timeline (paged), what it does
// right now (the account topic: its decisions, and the alerts that name it), and its counterparty
// network, expanded hop by hop.
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { AccountAnswer, DecisionSummary, NetworkAnswer, ServerMessage, TimelineEntry } from '../../../server/protocol.js';
import { alertHref } from '../app/routes.js';
import type { Api } from '../api/http.js';
import { formatDateTime, formatDateTimeZoned, formatInteger, formatMinor, formatMoney, formatTime, utcText, zoneName } from '../i18n/format.js';
import { LocaleController } from '../i18n/locale.js';
import { msg, typologyText, valueText } from '../i18n/messages.js';
import type { LiveConnection } from '../live/live-connection.js';
import { LiveTopicController, ReconnectController } from '../live/live-controller.js';
import { sharedStyles } from '../theme/theme.js';
import { LiveAccountTotals, type AccountTotals } from './account-totals.js';
import { NetworkModel } from './network-model.js';
import './rs-network-graph.js';

const TIMELINE_PAGE = 50;
const LIVE_KEEP = 50;

/** Account detail; loads when `accountId` changes. */
@customElement('rs-account-page')
export class RsAccountPage extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: grid;
        gap: 12px;
      }
      .cols {
        display: grid;
        grid-template-columns: repeat(auto-fit, minmax(min(340px, 100%), 1fr));
        gap: 12px;
      }
      .live {
        max-height: 260px;
        overflow: auto;
      }
      /* narrower than this, the timeline scrolls sideways in its panel rather than squeezing every row tall */
      table[data-testid='account-timeline'] {
        min-width: 52em;
      }
      td.alerts a {
        display: inline-block;
        margin-right: 6px;
      }
    `,
  ];

  @property({ attribute: false }) api: Api | null = null;
  @property({ attribute: false }) live: LiveConnection | null = null;
  @property() accountId = '';

  @state() private _account: AccountAnswer | null = null;
  /** The totals read, kept live from the account topic (its decisions and alerts). */
  private _totals = new LiveAccountTotals('');
  @state() private _totalsVersion = 0;
  @state() private _timeline: readonly TimelineEntry[] = [];
  @state() private _nextBefore: number | null = null;
  @state() private _activity: readonly DecisionSummary[] = [];
  @state() private _network: NetworkModel | null = null;
  @state() private _networkVersion = 0;
  @state() private _error: string | null = null;
  @state() private _loadingMore = false;

  private readonly _locale = new LocaleController(this);
  private readonly _topic = new LiveTopicController(
    this,
    () => this.live,
    () => (this.accountId === '' ? null : { type: 'subscribe', topic: 'account', accountId: this.accountId }),
    (message) => this._onLive(message),
  );
  // A load that failed during an outage runs again when the connection comes back.
  private readonly _reconnect = new ReconnectController(
    this,
    () => this.live,
    () => {
      if (this.api === null || this.accountId === '') return;
      if (this._error !== null) void this._load();
      // Decisions made while the socket was down were never pushed: read the totals again.
      else if (this._account !== null) void this._readTotals();
    },
  );
  private _request = 0;

  override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('live')) this._reconnect.watch();
    if (changed.has('accountId') || changed.has('live')) this._topic.resubscribe();
    if ((changed.has('accountId') || changed.has('api')) && this.api !== null && this.accountId !== '') void this._load();
  }

  override render() {
    const account = this._account;
    return html`
      <h1>${msg('account.title', { id: this.accountId })}</h1>
      ${this._error === null ? nothing : html`<p class="error" role="alert">${msg('app.error', { message: this._error })}</p>`}
      <div class="cols">
        <section class="panel" data-testid="account-profile">
          <h2>${msg('account.profile')}</h2>
          ${account === null ? html`<p class="dim">${msg('app.loading')}</p>` : this._renderProfile(account)}
        </section>
        <section class="panel" data-testid="account-totals">
          <h2>${msg('account.totals')}</h2>
          ${this._totals.totals === null ? nothing : this._renderTotals(this._totals.totals)}
        </section>
        <section class="panel">
          <h2>${msg('account.live')}</h2>
          <div class="live" aria-live="polite" data-testid="account-live">
            ${this._activity.length === 0
              ? html`<p class="dim">${msg('account.liveEmpty')}</p>`
              : html`<table>
                  <tbody>
                    ${this._activity.map(
                      (d) => html`<tr>
                        <td title=${utcText(d.decidedAt)}>${formatTime(d.decidedAt)}</td>
                        <td>${d.eventKind}</td>
                        <td class="num">${d.amount !== undefined ? formatMoney(d.amount, d.currency) : formatMinor(d.amountMinor, d.currency)}</td>
                        <td><span class="badge act-${d.action}">${valueText(d.action)}</span></td>
                        <td class="num">${formatInteger(d.score)}</td>
                      </tr>`,
                    )}
                  </tbody>
                </table>`}
          </div>
        </section>
      </div>
      <section class="panel">
        <h2>${msg('account.network')}</h2>
        <p class="dim">${msg('account.networkHint')}</p>
        ${this._network === null
          ? nothing
          : html`<rs-network-graph
              .rootId=${this.accountId}
              .nodes=${this._network.nodes}
              .edges=${this._network.edges}
              data-version=${this._networkVersion}
              @rs-expand=${this._onExpand}
            ></rs-network-graph>`}
      </section>
      <section class="panel">
        <h2>${msg('account.timeline')}</h2>
        ${this._renderTimeline()}
      </section>
    `;
  }

  private _renderProfile(account: AccountAnswer) {
    const c = account.customer;
    if (c === null) return html`<p class="dim">${msg('account.noProfile')}</p>`;
    return html`<dl>
      <dt>${msg('account.customer')}</dt>
      <dd class="mono">${c.customerId}</dd>
      <dt>${msg('account.name')}</dt>
      <dd data-testid="account-name">${c.name ?? '—'}</dd>
      <dt>${msg('account.segment')}</dt>
      <dd>${c.segment === null ? '—' : valueText(c.segment)}</dd>
      <dt>${msg('account.riskRating')}</dt>
      <dd>${c.riskRating === null ? '—' : valueText(c.riskRating)}</dd>
      <dt>${msg('account.pep')}</dt>
      <dd>${c.pep === null ? '—' : c.pep ? msg('account.yes') : msg('account.no')}</dd>
      <dt>${msg('account.country')}</dt>
      <dd>${c.country ?? '—'}</dd>
    </dl>`;
  }

  private _renderTotals(t: AccountTotals) {
    return html`<p class="dim" data-testid="account-totals-as-of" data-added=${this._totals.added} data-alerts-added=${this._totals.alertsAdded}>
        ${msg('account.totalsAsOf', { time: formatTime(this._totals.readAt), count: formatInteger(this._totals.added), alerts: formatInteger(this._totals.alertsAdded) })}
      </p>
      <dl>
      <dt>${msg('account.events')}</dt>
      <dd>${formatInteger(t.events)}</dd>
      <dt>${msg('account.firstSeen')}</dt>
      <dd title=${t.firstSeen === null ? '' : utcText(t.firstSeen)}>${t.firstSeen === null ? '—' : formatDateTimeZoned(t.firstSeen)}</dd>
      <dt>${msg('account.lastSeen')}</dt>
      <dd title=${t.lastSeen === null ? '' : utcText(t.lastSeen)}>${t.lastSeen === null ? '—' : formatDateTimeZoned(t.lastSeen)}</dd>
      <dt>${msg('account.in')}</dt>
      <dd>${formatMoney(t.inUsd, 'USD')}</dd>
      <dt>${msg('account.out')}</dt>
      <dd>${formatMoney(t.outUsd, 'USD')}</dd>
      <dt>${msg('account.alerts')}</dt>
      <dd data-testid="account-alerts">${formatInteger(t.alerts)}</dd>
      <dt>${msg('account.blocked')}</dt>
      <dd>${formatInteger(t.blocked)}</dd>
    </dl>`;
  }

  private _renderTimeline() {
    return html`<div class="table-scroll"><table data-testid="account-timeline">
        <thead>
          <tr>
            <th>${msg('account.colTime')} <span class="dim">(${zoneName()})</span></th>
            <th>${msg('account.colKind')}</th>
            <th>${msg('account.colDirection')}</th>
            <th class="num">${msg('account.colAmount')}</th>
            <th>${msg('account.colCounterparty')}</th>
            <th>${msg('account.colAction')}</th>
            <th class="num">${msg('account.colScore')}</th>
            <th>${msg('nav.alerts')}</th>
          </tr>
        </thead>
        <tbody>
          ${this._timeline.map(
            (entry) => html`<tr>
              <td class="nowrap" title=${utcText(entry.ts)}>${formatDateTime(entry.ts)}</td>
              <td class="nowrap">${entry.kind}</td>
              <td>${valueText(entry.direction)}</td>
              <td class="num">${formatMoney(entry.amount, entry.currency)}</td>
              <td>
                ${entry.counterparty === null
                  ? '—'
                  : html`<span data-testid="counterparty-name">${entry.counterparty.name ?? entry.counterparty.accountId}</span>
                      <span class="dim">${entry.counterparty.country ?? ''}</span>`}
              </td>
              <td>${entry.action === null ? '—' : html`<span class="badge act-${entry.action}">${valueText(entry.action)}</span>`}</td>
              <td class="num">${entry.score === null ? '—' : formatInteger(entry.score)}</td>
              <td class="alerts">${entry.alertIds.map((id) => html`<a href=${alertHref(id)} title=${id} data-testid="timeline-alert">${typologyText(alertTypologyOf(id))}</a> `)}</td>
            </tr>`,
          )}
        </tbody>
      </table></div>
      ${this._nextBefore === null
        ? nothing
        : html`<p><button data-testid="timeline-more" ?disabled=${this._loadingMore} @click=${this._onMore}>${msg('account.more')}</button></p>`}`;
  }

  private _onLive(message: ServerMessage): void {
    // Decisions were dropped for this tab (it fell behind): the totals cannot add them, read them again.
    if (message.type === 'missed' && this._account !== null) void this._readTotals();
    if ((message.type !== 'account' && message.type !== 'account-alert') || message.accountId !== this.accountId) return;
    const totals = this._totals.accountId === message.accountId ? this._totals : null;
    // An alert naming the account: counted once by id (a copy after a reconnect is not), unless the read holds it.
    if (message.type === 'account-alert') {
      if (totals?.addAlert(message.alert)) this._totalsVersion += 1;
      return;
    }
    this._activity = [message.decision, ...this._activity].slice(0, LIVE_KEEP);
    if (totals?.add(message.decision)) this._totalsVersion += 1;
  }

  /** Reads the totals again (after a reconnect), keeping the timeline as paged. */
  private async _readTotals(): Promise<void> {
    if (this.api === null) return;
    const request = this._request;
    const readAt = Date.now();
    try {
      const answer = await this.api.get<AccountAnswer>(`/api/accounts/${encodeURIComponent(this.accountId)}`, { limit: TIMELINE_PAGE });
      if (request !== this._request) return;
      this._totals.read(answer, readAt);
      this._totalsVersion += 1;
    } catch {
      // The totals stay as they were; the note says when they were read.
    }
  }

  private async _load(): Promise<void> {
    if (this.api === null) return;
    const request = ++this._request;
    const id = this.accountId;
    this._account = null;
    this._timeline = [];
    this._activity = [];
    // Decisions pushed while the read runs are kept and added if the read does not hold them.
    this._totals = new LiveAccountTotals(id);
    const readAt = Date.now();
    this._error = null;
    this._network = new NetworkModel(id);
    const path = `/api/accounts/${encodeURIComponent(id)}`;
    const [account, network] = await Promise.allSettled([
      this.api.get<AccountAnswer>(path, { limit: TIMELINE_PAGE }),
      this.api.get<NetworkAnswer>(`${path}/network`, { hops: 1 }),
    ]);
    if (request !== this._request) return;
    if (account.status === 'fulfilled') {
      this._account = account.value;
      this._totals.read(account.value, readAt);
      this._totalsVersion += 1;
      this._timeline = account.value.timeline;
      this._nextBefore = account.value.nextBefore;
    } else this._error = reasonText(account.reason);
    if (network.status === 'fulfilled') this._mergeNetwork(network.value);
    else this._error ??= reasonText(network.reason);
  }

  private async _onMore(): Promise<void> {
    if (this.api === null || this._nextBefore === null) return;
    this._loadingMore = true;
    const request = this._request;
    try {
      const page = await this.api.get<AccountAnswer>(`/api/accounts/${encodeURIComponent(this.accountId)}`, { limit: TIMELINE_PAGE, before: this._nextBefore });
      if (request !== this._request) return;
      const seen = new Set(this._timeline.map((e) => e.eventId));
      this._timeline = [...this._timeline, ...page.timeline.filter((e) => !seen.has(e.eventId))];
      this._nextBefore = page.nextBefore;
    } catch (error) {
      this._error = reasonText(error);
    } finally {
      this._loadingMore = false;
    }
  }

  private async _onExpand(event: CustomEvent<{ id: string }>): Promise<void> {
    const network = this._network;
    if (this.api === null || network === null || network.isExpanded(event.detail.id)) return;
    const request = this._request;
    try {
      // One hop around the activated node; merging adds its counterparties to the graph.
      const answer = await this.api.get<NetworkAnswer>(`/api/accounts/${encodeURIComponent(event.detail.id)}/network`, { hops: 1 });
      if (request === this._request) this._mergeNetwork(answer);
    } catch (error) {
      this._error = reasonText(error);
    }
  }

  private _mergeNetwork(answer: NetworkAnswer): void {
    this._network?.merge(answer);
    this._networkVersion += 1;
  }

  /** For tests: the merged network. */
  get network(): NetworkModel | null {
    return this._network;
  }
}

/** An alert id is `<eventId>~<domain>~<typology>`: the typology is its last part (the whole id if it has no parts). */
export function alertTypologyOf(id: string): string {
  const parts = id.split('~');
  return parts.length >= 3 ? parts[parts.length - 1]! : id;
}

function reasonText(reason: unknown): string {
  return reason instanceof Error ? reason.message : String(reason);
}

declare global {
  interface HTMLElementTagNameMap {
    'rs-account-page': RsAccountPage;
  }
}
