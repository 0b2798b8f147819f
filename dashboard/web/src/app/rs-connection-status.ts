// The live-connection indicator (live / connecting / reconnecting / offline) and the notices the
// connection raises ("missed N alerts — caught up", "… reload", "missed N account activity
// updates", "riskstream was upgraded"), each that stands side by side.
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { LocaleController } from '../i18n/locale.js';
import { msg, msgCount, type MessageKey } from '../i18n/messages.js';
import { ConnectionStateController } from '../live/live-controller.js';
import type { ConnectionStatus, LiveConnection } from '../live/live-connection.js';
import { slotOf, type ShownNotice } from '../live/notice-board.js';
import { sharedStyles } from '../theme/theme.js';

const STATUS_TEXT: Readonly<Record<ConnectionStatus, MessageKey>> = {
  live: 'conn.live',
  connecting: 'conn.connecting',
  reconnecting: 'conn.reconnecting',
  offline: 'conn.offline',
};

const MISSED_TEXT = {
  'caught-up': 'conn.missedCaughtUp',
  reload: 'conn.missedReload',
  'account-reload': 'conn.missedAccount',
} as const satisfies Record<string, MessageKey>;

/**
 * Shows the state of the tab's WebSocket. Notices are announced through a polite live region.
 */
@customElement('rs-connection-status')
export class RsConnectionStatus extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: inline-flex;
        align-items: center;
        gap: 8px;
        font-size: 0.85rem;
      }
      .dot {
        width: 10px;
        height: 10px;
        border-radius: 50%;
        display: inline-block;
      }
      .live .dot {
        background: var(--rs-ok);
        box-shadow: 0 0 6px var(--rs-ok);
      }
      .connecting .dot,
      .reconnecting .dot {
        background: #f0e442;
      }
      .offline .dot {
        background: none;
        border: 2px solid var(--rs-error);
        box-sizing: border-box;
      }
      .state {
        display: inline-flex;
        align-items: center;
        gap: 6px;
      }
      .notices {
        display: inline-flex;
        flex-wrap: wrap;
        gap: 6px;
      }
      .notice {
        display: inline-flex;
        gap: 6px;
        align-items: center;
        background: #2a2410;
        border: 1px solid #6b5a12;
        border-radius: 6px;
        padding: 2px 8px;
      }
      .notice.upgraded {
        background: #3a1414;
        border-color: var(--rs-error);
      }
      .notice button {
        padding: 1px 6px;
        font-size: 0.8rem;
      }
    `,
  ];

  @property({ attribute: false }) connection: LiveConnection | null = null;

  private readonly _state = new ConnectionStateController(this, () => this.connection);

  constructor() {
    super();
    new LocaleController(this);
  }

  override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('connection')) this._state.watch();
  }

  override render() {
    const status = this._state.status;
    const label = msg(STATUS_TEXT[status]);
    return html`
      <span class="state ${status}" data-testid="connection-status" data-status=${status} role="status" aria-label=${msg('conn.label', { status: label })}>
        <span class="dot" aria-hidden="true"></span>${label}
      </span>
      <span class="notices" aria-live="polite">${this._renderNotices()}</span>
    `;
  }

  /** Every notice that stands, the most important first (notice-board.ts). */
  private _renderNotices() {
    return this._state.notices.map((notice) => (notice.kind === 'upgraded' || notice.kind === 'new-build' ? this._renderVersionNotice(notice.kind) : this._renderMissedNotice(notice)));
  }

  /** What a gap lost, by what it was (alerts, account activity: each its own notice and count), and whether a reload is needed. */
  private _renderMissedNotice(notice: Extract<ShownNotice, { kind: 'caught-up' | 'reload' | 'account-reload' }>) {
    const slot = slotOf(notice);
    return html`<span class="notice" data-testid="missed-notice" data-kind=${notice.kind}>
      ${msgCount(MISSED_TEXT[notice.kind], notice.count)}
      ${notice.kind === 'caught-up' ? nothing : html`<button @click=${this._onReload}>${msg('conn.reload')}</button>`}
      <button data-testid="missed-dismiss" @click=${() => this._state.dismissNotice(slot)} aria-label=${msg('conn.dismiss')}>×</button>
    </span>`;
  }

  /**
   * The server was upgraded. `upgraded` (another protocol: the tab reads no live data until it is
   * reloaded) cannot be dismissed; `new-build` (the same messages, a newer app) can, and otherwise
   * stays beside whatever notice comes later. Reloading is the user's click, not automatic: see
   * LiveConnection._becomeOutdated.
   */
  private _renderVersionNotice(kind: 'upgraded' | 'new-build') {
    return html`<span class="notice ${kind}" data-testid="version-notice" data-kind=${kind}>
      ${msg(kind === 'upgraded' ? 'conn.upgraded' : 'conn.newBuild')}
      <button data-testid="version-reload" @click=${this._onReload}>${msg('conn.reload')}</button>
      ${kind === 'new-build' ? html`<button data-testid="version-dismiss" @click=${this._onDismissVersion} aria-label=${msg('conn.dismiss')}>×</button>` : nothing}
    </span>`;
  }

  private _onReload(): void {
    window.location.reload();
  }

  private _onDismissVersion(): void {
    this._state.dismissNotice('version');
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'rs-connection-status': RsConnectionStatus;
  }
}
