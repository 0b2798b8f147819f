// The live alert feed: alerts as they are raised, filtered by domain, severity, typology and
// segment (the same filter goes to the WebSocket subscription and to REST paging), in a virtualised
// list over a bounded buffer, rendered once per animation frame, with pause/resume and "load older".
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { AlertFilter, AlertPageAnswer, ServerMessage } from '../../../server/protocol.js';
import { fetchAlertPage } from '../api/alerts-api.js';
import type { Api } from '../api/http.js';
import type { FeedAlert } from '../api/wire.js';
import { formatInteger, zoneName } from '../i18n/format.js';
import { LocaleController } from '../i18n/locale.js';
import { msg, msgCount, typologyText, valueText } from '../i18n/messages.js';
import type { LiveConnection } from '../live/live-connection.js';
import { LiveTopicController, ReconnectController } from '../live/live-controller.js';
import { sharedStyles } from '../theme/theme.js';
import { AlertBuffer, FEED_CAPACITY } from './alert-buffer.js';
import { DOMAIN_CHOICES, SEGMENT_CHOICES, SEVERITY_CHOICES, filterFromQuery, filterOf, filterToQuery, matchesFilter, rememberFeedQuery } from './alert-filter.js';
import { FrameBatcher, type FrameScheduler } from './frame-batcher.js';
import { renderAlertRow } from './rs-alert-row.js';
import './rs-row-list.js';

const ANNOUNCE_EVERY_MS = 10_000;
/** The height of a row of the feed in CSS pixels (`.row` below); on a phone a row has two lines. */
const ROW_HEIGHT = 32;
const NARROW_ROW_HEIGHT = 48;
const NARROW = '(max-width: 600px)';
const alertKey = (alert: FeedAlert): string => alert.id;
const MAX_TYPOLOGIES = 200;

/**
 * Where the feed was scrolled when the user opened an alert from it, so that Back shows the same
 * rows again (the feed is a new element then, its first page loaded anew). Kept for this tab only.
 */
let leftForAlert: { readonly query: string; readonly topId: string; readonly offset: number } | null = null;

/**
 * The alert feed page. Needs `api` and `live`. `capacity` bounds the alerts held; `schedule` (tests)
 * replaces requestAnimationFrame.
 */
@customElement('rs-alert-feed')
export class RsAlertFeed extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: grid;
        gap: 12px;
      }
      form {
        display: flex;
        flex-wrap: wrap;
        gap: 8px 12px;
        align-items: end;
      }
      label {
        display: grid;
        gap: 2px;
        font-size: 0.8rem;
        color: var(--rs-text-dim);
      }
      .controls {
        display: flex;
        gap: 8px;
        align-items: center;
        margin-left: auto;
      }
      input::placeholder {
        /* the default placeholder grey is 3.97:1 on the input; this is above 7:1 */
        color: var(--rs-text-dim);
        opacity: 1;
      }
      /* The table scrolls sideways inside its panel when the screen is narrower than its columns. */
      .table-scroll {
        overflow-x: auto;
      }
      .table {
        min-width: 44em;
      }
      .grid,
      .row {
        display: grid;
        grid-template-columns: 6.5em 6.5em 5em minmax(8em, 1.4fr) 4em minmax(8em, 1fr) minmax(8em, 1fr) 6em;
        gap: 8px;
        align-items: center;
        padding: 0 8px;
        font-size: 0.85rem;
        font-variant-numeric: tabular-nums;
      }
      .head {
        color: var(--rs-text-dim);
        font-weight: 600;
        padding-bottom: 4px;
        border-bottom: 1px solid var(--rs-border-strong);
      }
      rs-row-list {
        height: max(320px, calc(100vh - 260px));
        width: 100%;
      }
      /* nothing to list: the note stands under the column heads, not under an empty screen of rows */
      rs-row-list.empty {
        display: none;
      }
      .row {
        position: relative;
        box-sizing: border-box;
        width: 100%;
        height: var(--rs-row-height, ${ROW_HEIGHT}px);
        color: var(--rs-text);
        border-bottom: 1px solid var(--rs-border);
      }
      .row:hover,
      .row:focus-within {
        background: #18243a;
      }
      .row > span {
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      .row a {
        color: var(--rs-link);
        text-decoration: none;
      }
      .row:hover a {
        text-decoration: underline;
      }
      /* the link's box covers the whole row: a click anywhere on it opens the alert */
      .row a::after {
        content: '';
        position: absolute;
        inset: 0;
      }
      .row a:focus-visible {
        outline: none;
      }
      .row a:focus-visible::after {
        outline: 3px solid var(--rs-focus);
        outline-offset: -3px;
      }
      .num {
        text-align: right;
      }
      .footer {
        display: flex;
        flex-wrap: wrap;
        gap: 12px;
        align-items: center;
        padding-top: 8px;
      }
      /* Narrow screens: domain and segment give way (the typology and the filter say most of it);
         the rest scrolls sideways inside the table's own box. */
      @media (max-width: 900px) {
        .table {
          min-width: 33em;
        }
        .grid,
        .row {
          grid-template-columns: 5em 5.5em minmax(7em, 1.4fr) 3em minmax(6em, 1fr) minmax(6em, 1fr);
          gap: 6px;
        }
        .grid > :nth-child(3),
        .grid > :nth-child(8),
        .row > :nth-child(3),
        .row > :nth-child(8) {
          display: none;
        }
      }
      /* Phones: each row on two lines (severity, typology, score / time, account, amount), every
         one of those whole; domain and segment stay hidden. */
      @media (max-width: 600px) {
        .table {
          min-width: 0;
        }
        .grid,
        .row {
          grid-template-columns: auto minmax(0, 1fr) auto;
          grid-template-areas:
            'severity typology score'
            'time account amount';
          gap: 0 8px;
          align-content: center;
        }
        .grid > :nth-child(1),
        .row > :nth-child(1) {
          grid-area: time;
        }
        .grid > :nth-child(2),
        .row > :nth-child(2) {
          grid-area: severity;
        }
        .grid > :nth-child(4),
        .row > :nth-child(4) {
          grid-area: typology;
        }
        .grid > :nth-child(5),
        .row > :nth-child(5) {
          grid-area: score;
        }
        .grid > :nth-child(6),
        .row > :nth-child(6) {
          grid-area: account;
        }
        .grid > :nth-child(7),
        .row > :nth-child(7) {
          grid-area: amount;
        }
        .row > :nth-child(1),
        .row > :nth-child(6),
        .row > :nth-child(7) {
          color: var(--rs-text-dim);
          font-size: 0.8rem;
        }
      }
    `,
  ];

  @property({ attribute: false }) api: Api | null = null;
  @property({ attribute: false }) live: LiveConnection | null = null;
  @property({ type: Number }) capacity = FEED_CAPACITY;
  /** The domains the user's roles may filter by (a credit officer: credit only). */
  @property({ attribute: false }) domains: readonly (typeof DOMAIN_CHOICES)[number][] = DOMAIN_CHOICES;
  @property({ attribute: false }) schedule: FrameScheduler | undefined = undefined;
  /**
   * The filter as the address's query text (`#/alerts?domain=aml`), from the route. null: the feed
   * is not routed (tests) and leaves the address alone; otherwise a filter change replaces it, so
   * Back and reload keep the filter.
   */
  @property({ attribute: false }) query: string | null = null;

  @state() private _filter: AlertFilter = {};
  @state() private _items: readonly FeedAlert[] = [];
  @state() private _paused = false;
  @state() private _pendingCount = 0;
  @state() private _cursor: string | null = null;
  @state() private _noOlder = false;
  @state() private _loading = false;
  @state() private _error: string | null = null;
  @state() private _announcement = '';
  @state() private _rowHeight = ROW_HEIGHT;

  /** How many renders the list had; tests read it to see that a burst became one render. */
  renders = 0;

  private readonly _locale = new LocaleController(this);
  private readonly _alerts = new LiveTopicController(
    this,
    () => this.live,
    () => ({ type: 'subscribe', topic: 'alerts', ...(Object.keys(this._filter).length > 0 ? { filter: this._filter } : {}) }),
    (message) => this._onMessage(message),
  );
  // A first page that failed (the server was down) loads again when the connection comes back.
  private readonly _reconnect = new ReconnectController(
    this,
    () => this.live,
    () => {
      if (this._error !== null || !this._firstPageLoaded) void this._loadFirstPage();
    },
  );
  private _firstPageLoaded = false;
  private _listScrollTop = 0;
  private _buffer = new AlertBuffer(this.capacity);
  private _pending: FeedAlert[] = [];
  private _batcher: FrameBatcher<FeedAlert> | null = null;
  private _typologies = new Set<string>();
  private _request = 0;
  private _announcedAt = 0;

  private _narrow: MediaQueryList | null = null;
  private readonly _onNarrowChange = (): void => {
    this._rowHeight = this._narrow?.matches === true ? NARROW_ROW_HEIGHT : ROW_HEIGHT;
    this.style.setProperty('--rs-row-height', `${this._rowHeight}px`);
  };

  override connectedCallback(): void {
    super.connectedCallback();
    if (typeof window.matchMedia === 'function') {
      this._narrow = window.matchMedia(NARROW);
      this._narrow.addEventListener('change', this._onNarrowChange);
    }
    this._onNarrowChange();
    this._batcher = new FrameBatcher((items) => this._onBatch(items), this.schedule);
    if (this.query !== null) {
      this._filter = filterFromQuery(this.query);
      rememberFeedQuery(filterToQuery(this._filter));
    }
    void this._loadFirstPage();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this._batcher?.discard();
    this._rememberScroll();
    this._narrow?.removeEventListener('change', this._onNarrowChange);
    this._narrow = null;
  }

  override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('live')) {
      this._alerts.resubscribe();
      this._reconnect.watch();
    }
    if (changed.has('capacity') && this._buffer.capacity !== this.capacity) {
      this._buffer = new AlertBuffer(this.capacity);
      this._items = this._buffer.items;
    }
    if (changed.has('schedule') && this.isConnected) this._batcher = new FrameBatcher((items) => this._onBatch(items), this.schedule);
    if (changed.has('api') && changed.get('api') === null) void this._loadFirstPage();
    // The address changed under the feed (edited by hand, or Forward/Back between two filters).
    if (changed.has('query') && this.query !== null && changed.get('query') !== undefined) {
      const filter = filterFromQuery(this.query);
      if (filterToQuery(filter) !== filterToQuery(this._filter)) this.setFilter(filter);
    }
  }

  override updated(): void {
    // The selects show the filter even when it changed from code (the address, Back): an option's
    // `selected` attribute no longer moves a select the user has touched.
    for (const select of this.renderRoot.querySelectorAll<HTMLSelectElement>('form select')) {
      const value = this._filter[select.name as 'domain' | 'severity' | 'segment'] ?? '';
      if (select.value !== value) select.value = value;
    }
  }

  override render() {
    this.renders += 1;
    return html`
      <h1>${msg('alerts.title')}</h1>
      <form class="panel" data-testid="alert-filters" aria-label=${msg('alerts.filters')} @change=${this._onFilterChange} @submit=${this._onFilterSubmit}>
        ${this._select('domain', msg('alerts.domain'), this.domains, this._filter.domain)}
        ${this._select('severity', msg('alerts.severity'), SEVERITY_CHOICES, this._filter.severity)}
        <label
          >${msg('alerts.typology')}
          <input name="typology" data-testid="filter-typology" list="typologies" .value=${this._filter.typology ?? ''} placeholder=${msg('alerts.any')} />
          <datalist id="typologies">${[...this._typologies].sort().map((t) => html`<option value=${t} label=${typologyText(t)}></option>`)}</datalist>
        </label>
        ${this._select('segment', msg('alerts.segment'), SEGMENT_CHOICES, this._filter.segment)}
        <div class="controls">
          <button type="button" data-testid="feed-pause" aria-pressed=${this._paused ? 'true' : 'false'} @click=${this._onPauseToggle}>
            ${this._paused ? (this._pendingCount > 0 ? msg('alerts.resumeNew', { count: formatInteger(this._pendingCount) }) : msg('alerts.resume')) : msg('alerts.pause')}
          </button>
        </div>
      </form>
      <section class="panel">
        <div class="table-scroll">
          <div class="table" role="table" aria-label=${msg('alerts.list')} aria-rowcount=${this._items.length + 1}>
            <div class="grid head" role="row" aria-rowindex="1">
              <span role="columnheader">${msg('alerts.colTime')} <span class="zone">(${zoneName()})</span></span><span role="columnheader">${msg('alerts.colSeverity')}</span
              ><span role="columnheader">${msg('alerts.colDomain')}</span><span role="columnheader">${msg('alerts.colTypology')}</span
              ><span role="columnheader" class="num">${msg('alerts.colScore')}</span><span role="columnheader">${msg('alerts.colAccount')}</span
              ><span role="columnheader" class="num">${msg('alerts.colAmount')}</span><span role="columnheader">${msg('alerts.colSegment')}</span>
            </div>
            ${this._items.length === 0 && !this._loading ? html`<p class="dim" data-testid="feed-empty">${msg('alerts.empty')}</p>` : nothing}
            <rs-row-list
              class=${this._items.length === 0 && !this._loading ? 'empty' : ''}
              @scroll=${this._onListScroll}
              data-testid="alert-list"
              role="rowgroup"
              .rowHeight=${this._rowHeight}
              .items=${this._items}
              .keyFunction=${alertKey}
              .renderItem=${renderAlertRow}
            ></rs-row-list>
          </div>
        </div>
        <div class="footer">
          <button data-testid="feed-load-older" ?disabled=${this._loading || this._noOlder || this._cursor === null} @click=${this._onLoadOlder}>
            ${this._noOlder ? msg('alerts.noOlder') : msg('alerts.loadOlder')}
          </button>
          <span class="dim" data-testid="feed-count">${this._countText()}</span>
          ${this._error === null ? nothing : html`<span class="error" role="alert">${msg('app.error', { message: this._error })}</span>`}
        </div>
        <p class="visually-hidden" aria-live="polite" aria-atomic="true">${this._announcement}</p>
      </section>
    `;
  }

  private _select(name: 'domain' | 'severity' | 'segment', label: string, choices: readonly string[], value: string | undefined) {
    return html`<label
      >${label}
      <select name=${name} data-testid=${`filter-${name}`}>
        <option value="" ?selected=${value === undefined}>${msg('alerts.any')}</option>
        ${choices.map((choice) => html`<option value=${choice} ?selected=${value === choice}>${valueText(choice)}</option>`)}
      </select>
    </label>`;
  }

  private _countText(): string {
    const count = formatInteger(this._items.length);
    return this._paused ? msg('alerts.countPaused', { count, pending: formatInteger(this._pendingCount) }) : msgCount('alerts.count', this._items.length);
  }

  // -------------------------------------------------------------------------------------------

  private _onMessage(message: ServerMessage): void {
    if (message.type !== 'alert') return;
    if (!matchesFilter(message.alert, this._filter)) return;
    this._batcher?.push(message.alert);
  }

  /** One frame's worth of alerts: one buffer change, one render. */
  private _onBatch(alerts: FeedAlert[]): void {
    for (const alert of alerts) if (this._typologies.size < MAX_TYPOLOGIES) this._typologies.add(alert.typology);
    if (this._paused) {
      this._pending.push(...alerts);
      if (this._pending.length > this.capacity) this._pending = this._pending.slice(-this.capacity);
      this._pendingCount += alerts.length;
      return;
    }
    if (this._buffer.addNewer(alerts) > 0) this._items = this._buffer.items;
    this._announce();
  }

  private _announce(): void {
    const now = Date.now();
    if (now - this._announcedAt < ANNOUNCE_EVERY_MS) return;
    this._announcedAt = now;
    this._announcement = this._countText();
  }

  private _onFilterChange(event: Event): void {
    const form = (event.currentTarget as HTMLFormElement) ?? null;
    if (form === null) return;
    const data = new FormData(form);
    const next = filterOf({
      domain: String(data.get('domain') ?? ''),
      severity: String(data.get('severity') ?? ''),
      typology: String(data.get('typology') ?? ''),
      segment: String(data.get('segment') ?? ''),
    });
    if (JSON.stringify(next) === JSON.stringify(this._filter)) return;
    this._filter = next;
    this._writeAddress();
    this._reset();
  }

  /** Puts the filter in the address (replacing the entry: a filter change is not a step of Back). */
  private _writeAddress(): void {
    if (this.query === null) return;
    const query = filterToQuery(this._filter);
    rememberFeedQuery(query);
    window.history.replaceState(window.history.state, '', `#/alerts${query === '' ? '' : `?${query}`}`);
  }

  /** Kept as the user scrolls: once the feed has left the page, the list no longer has a scroll position to read. */
  private _onListScroll(event: Event): void {
    this._listScrollTop = (event.currentTarget as HTMLElement).scrollTop;
  }

  private _rememberScroll(): void {
    // Only when leaving for an alert: Back from it is when the place in the list matters.
    if (this.query === null || !/^#\/alerts\/./.test(window.location.hash)) return;
    const top = this._listScrollTop;
    const alert = this._items[Math.floor(top / this._rowHeight)];
    leftForAlert = top > 0 && alert !== undefined ? { query: filterToQuery(this._filter), topId: alert.id, offset: top % this._rowHeight } : null;
  }

  /** After the first page: back at the rows the user left for an alert, if they are in it. */
  private async _restoreScroll(): Promise<void> {
    const left = leftForAlert;
    leftForAlert = null;
    if (left === null || left.query !== filterToQuery(this._filter)) return;
    const index = this._items.findIndex((alert) => alert.id === left.topId);
    if (index < 0) return;
    await this.updateComplete;
    const list = this.shadowRoot?.querySelector('rs-row-list');
    if (list == null) return;
    await list.updateComplete;
    list.scrollTop = index * this._rowHeight + left.offset;
  }

  private _onFilterSubmit(event: SubmitEvent): void {
    event.preventDefault();
    this._onFilterChange(event);
  }

  /** Sets a filter from code (tests, links); same as choosing it in the form. */
  setFilter(filter: AlertFilter): void {
    this._filter = filterOf(filter);
    this._writeAddress();
    this._reset();
  }

  get filter(): AlertFilter {
    return this._filter;
  }

  private _reset(): void {
    this._batcher?.discard();
    this._buffer.clear();
    this._items = this._buffer.items;
    this._pending = [];
    this._pendingCount = 0;
    this._cursor = null;
    this._noOlder = false;
    this._alerts.resubscribe();
    void this._loadFirstPage();
  }

  private _onPauseToggle(): void {
    if (this._paused) this._resume();
    else this._paused = true;
  }

  private _resume(): void {
    this._paused = false;
    const pending = this._pending;
    this._pending = [];
    this._pendingCount = 0;
    if (this._buffer.detachedFromLive) {
      // Older pages pushed the live edge out of memory: start again from the newest.
      this._reset();
      return;
    }
    if (this._buffer.addNewer(pending) > 0) this._items = this._buffer.items;
  }

  private async _loadFirstPage(): Promise<void> {
    this._firstPageLoaded = false;
    await this._loadPage(null, (alerts) => {
      this._buffer.addNewer(alerts);
      this._firstPageLoaded = true;
    });
    if (this._firstPageLoaded) await this._restoreScroll();
  }

  private async _onLoadOlder(): Promise<void> {
    if (this.api === null || this._cursor === null) return;
    // Browsing back in time: hold the live edge so the loaded page stays where it is.
    this._paused = true;
    await this._loadPage(this._cursor, (alerts) => this._buffer.addOlder(alerts));
  }

  /** Fetches a page of GET /api/alerts (the newest with no cursor) and adds it to the buffer; a newer request wins. */
  private async _loadPage(cursor: string | null, add: (alerts: AlertPageAnswer['alerts']) => void): Promise<void> {
    if (this.api === null) return;
    const request = ++this._request;
    this._loading = true;
    this._error = null;
    try {
      const page = await fetchAlertPage(this.api, this._filter, cursor);
      if (request !== this._request) return;
      add(page.alerts);
      this._items = this._buffer.items;
      this._cursor = page.nextCursor;
      this._noOlder = page.nextCursor === null;
    } catch (error) {
      if (request === this._request) this._error = error instanceof Error ? error.message : String(error);
    } finally {
      if (request === this._request) this._loading = false;
    }
  }

}

declare global {
  interface HTMLElementTagNameMap {
    'rs-alert-feed': RsAlertFeed;
  }
}
