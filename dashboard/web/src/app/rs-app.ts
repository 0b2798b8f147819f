// The app shell: restores the session, routes between pages, owns the tab's live connection, and
// sends the user back to sign-in on any 401.
import { LitElement, css, html, nothing } from 'lit';
import { customElement, query, state } from 'lit/decorators.js';
import type { LoginAnswer, SessionUser } from '../../../server/protocol.js';
import '../accounts/rs-account-page.js';
import '../alerts/rs-alert-detail.js';
import '../alerts/rs-alert-feed.js';
import { ApiClient, ApiError } from '../api/http.js';
import { forgetSessionHint, mayHaveSession } from '../api/session-hint.js';
import '../auth/rs-login.js';
import '../auth/rs-security.js';
import '../credit/rs-credit-page.js';
import '../health/rs-health-page.js';
import { LocaleController, adoptAccountLocale } from '../i18n/locale.js';
import { msg, type MessageKey } from '../i18n/messages.js';
import type { LiveConnection } from '../live/live-connection.js';
import '../overview/rs-overview.js';
import { sharedStyles } from '../theme/theme.js';
import './rs-connection-status.js';
import './rs-language-switch.js';
import { alertDomainsFor, mayOpen, mayReadDeadLetters, parseRoute, returnPage, type ReturnTo, type Route, type RouteName } from './routes.js';
import { createLiveConnection } from './services.js';

const NAV: ReadonlyArray<{ readonly route: RouteName; readonly label: MessageKey }> = [
  { route: 'overview', label: 'nav.overview' },
  { route: 'alerts', label: 'nav.alerts' },
  { route: 'credit', label: 'nav.credit' },
  { route: 'health', label: 'nav.health' },
  { route: 'security', label: 'nav.security' },
];

/**
 * The whole dashboard. Renders the sign-in page until a session exists, then the header (navigation,
 * connection status, language, sign-out) and the page of the current `#/route`.
 */
@customElement('rs-app')
export class RsApp extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
        min-height: 100vh;
      }
      header {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 12px 20px;
        padding: 8px 16px;
        border-bottom: 1px solid var(--rs-border);
        background: #0d1420;
        position: sticky;
        top: 0;
        z-index: 10;
      }
      .brand {
        font-weight: 700;
        letter-spacing: 0.02em;
        color: var(--rs-accent-strong);
      }
      nav ul {
        display: flex;
        flex-wrap: wrap;
        gap: 4px;
        list-style: none;
        margin: 0;
        padding: 0;
      }
      nav a {
        display: block;
        padding: 6px 10px;
        border-radius: 6px;
        text-decoration: none;
        color: var(--rs-text-dim);
      }
      nav a[aria-current='page'] {
        color: var(--rs-text);
        background: var(--rs-panel);
        box-shadow: inset 0 -2px 0 var(--rs-accent);
      }
      .spacer {
        flex: 1;
      }
      .user {
        color: var(--rs-text-dim);
        font-size: 0.85rem;
      }
      main {
        padding: 16px;
      }
      /* Focused by code after navigation, for screen readers; not a control, so no ring. */
      main:focus,
      main:focus-visible {
        outline: none;
      }
      .session-ended {
        max-width: 380px;
        box-sizing: border-box;
        margin: 8vh auto -6vh;
        padding: 8px 12px;
        border: 1px solid #6b5a12;
        border-radius: 6px;
        background: #2a2410;
      }
      .skip {
        position: absolute;
        left: -9999px;
      }
      .skip:focus {
        left: 8px;
        top: 8px;
        z-index: 20;
        background: var(--rs-panel);
        padding: 6px 10px;
      }
    `,
  ];

  @state() private _user: SessionUser | null = null;
  @state() private _booting = true;
  @state() private _route: Route = parseRoute(window.location.hash);
  @state() private _live: LiveConnection | null = null;
  @query('main') private _main!: HTMLElement | null;

  private readonly _locale = new LocaleController(this);
  /** Why the sign-in form shows, when it is not the first visit: a session that ended says so. */
  @state() private _sessionEnded = false;
  /** The session check could not reach the server; it is being asked again. */
  @state() private _unreachable = false;

  private readonly _api = new ApiClient({ onUnauthorized: () => this._signedOut('session-ended') });
  /** The page to go back to after signing in again, and who was on it (null: nobody signed in yet, a link opened). */
  private _returnTo: ReturnTo | null = null;
  private _offStatus: (() => void) | null = null;

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('hashchange', this._onHashChange);
    window.addEventListener('online', this._onOnline);
    void this._restoreSession();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('hashchange', this._onHashChange);
    window.removeEventListener('online', this._onOnline);
    this._stopLive();
  }

  override updated(changed: Map<PropertyKey, unknown>): void {
    // After navigating, put keyboard and screen-reader focus at the start of the new page.
    if (changed.has('_route') && changed.get('_route') !== undefined) this._main?.focus({ preventScroll: true });
  }

  override render() {
    if (this._booting) {
      return html`<p class="dim" style="padding:16px" role="status" data-testid="app-booting">${this._unreachable ? msg('app.unreachable') : msg('app.loading')}</p>`;
    }
    if (this._user === null) {
      return html`<main id="main" tabindex="-1">
        <div style="display:flex;justify-content:flex-end"><rs-language-switch></rs-language-switch></div>
        ${this._sessionEnded ? html`<p class="session-ended" role="status" data-testid="session-ended">${msg('app.sessionEnded')}</p>` : nothing}
        <rs-login .api=${this._api} @rs-signed-in=${this._onSignedIn}></rs-login>
      </main>`;
    }
    const user = this._user;
    return html`
      <a class="skip" href="#main" @click=${this._onSkip}>${msg('app.skipToContent')}</a>
      <header>
        <span class="brand">${msg('app.title')}</span>
        <nav aria-label=${msg('nav.main')}>
          <ul>
            ${NAV.filter((item) => mayOpen(item.route, user.roles)).map(
              (item) => html`<li><a href="#/${item.route}" aria-current=${this._isCurrent(item.route) ? 'page' : 'false'}>${msg(item.label)}</a></li>`,
            )}
          </ul>
        </nav>
        <span class="spacer"></span>
        <rs-connection-status .connection=${this._live}></rs-connection-status>
        <rs-language-switch></rs-language-switch>
        <span class="user" title=${msg('app.signedInAs', { name: user.displayName || user.username })}>${user.displayName || user.username}</span>
        <button data-testid="sign-out" @click=${this._onSignOut}>${msg('app.signOut')}</button>
      </header>
      <main id="main" tabindex="-1">${this._renderPage(user)}</main>
    `;
  }

  private _renderPage(user: SessionUser) {
    const route = this._route;
    if (!mayOpen(route.name, user.roles)) return html`<p>${msg('app.noAccess')}</p>`;
    switch (route.name) {
      case 'overview':
      case 'login':
        return html`<rs-overview .api=${this._api} .live=${this._live}></rs-overview>`;
      case 'alerts':
        return html`<rs-alert-feed .api=${this._api} .live=${this._live} .domains=${alertDomainsFor(user.roles)} .query=${route.query ?? ''}></rs-alert-feed>`;
      case 'alert':
        return html`<rs-alert-detail .api=${this._api} .live=${this._live} .alertId=${route.id}></rs-alert-detail>`;
      case 'account':
        return html`<rs-account-page .api=${this._api} .live=${this._live} .accountId=${route.id}></rs-account-page>`;
      case 'credit':
        return html`<rs-credit-page .api=${this._api} .live=${this._live}></rs-credit-page>`;
      case 'health':
        return html`<rs-health-page .api=${this._api} .live=${this._live} .deadLetters=${mayReadDeadLetters(user.roles)}></rs-health-page>`;
      case 'security':
        return html`<rs-security .api=${this._api} .user=${user} @rs-totp-enabled=${this._onTotpEnabled}></rs-security>`;
      default:
        return html`<p>${msg('app.notFound')}</p>`;
    }
  }

  private _isCurrent(name: RouteName): boolean {
    const current = this._route.name;
    return current === name || (name === 'alerts' && current === 'alert');
  }

  private async _restoreSession(): Promise<void> {
    if (!mayHaveSession(document.cookie)) {
      this._signedOut('no-session');
      this._booting = false;
      return;
    }
    for (let attempt = 0; ; attempt++) {
      try {
        this._signedIn(await this._api.get<LoginAnswer>('/api/auth/me'));
        break;
      } catch (error) {
        // The server away (a restart, a network drop): the session may well be valid, so ask
        // again rather than show a sign-in form that could not work either.
        const unreachable = error instanceof ApiError && (error.status === 0 || error.status >= 500);
        if (unreachable && this.isConnected) {
          this._unreachable = true;
          await new Promise((resolve) => setTimeout(resolve, Math.min(15_000, 1_000 * 2 ** attempt)));
          continue;
        }
        if (!(error instanceof ApiError) || error.status !== 401) console.warn('session check failed', error instanceof Error ? error.message : error);
        else document.cookie = forgetSessionHint();
        this._signedOut('no-session');
        break;
      }
    }
    this._unreachable = false;
    this._booting = false;
  }

  private _signedIn(answer: LoginAnswer): void {
    this._api.csrfToken = answer.csrfToken;
    this._user = answer.user;
    adoptAccountLocale(answer.user.locale);
    this._sessionEnded = false;
    this._startLive();
    if (this._route.name === 'login') {
      const target = returnPage(this._returnTo, answer.user);
      this._returnTo = null;
      window.location.hash = target;
      this._route = parseRoute(target);
    }
  }

  /**
   * Back to the sign-in form. Only a session that ended against the user's will (expired, revoked,
   * password changed by an admin) or a link opened before signing in remembers the page to come
   * back to; after "Sign out" the next person starts at the overview.
   */
  private _signedOut(why: 'voluntary' | 'session-ended' | 'no-session'): void {
    const user = this._user;
    this._stopLive();
    this._api.csrfToken = null;
    this._user = null;
    if (why === 'voluntary') {
      this._returnTo = null;
      this._sessionEnded = false;
    }
    // Said once, when a signed-in page drops to the form; not on a first visit.
    if (why === 'session-ended' && user !== null) this._sessionEnded = true;
    if (this._route.name !== 'login') {
      const hash = window.location.hash;
      if (why !== 'voluntary' && hash !== '' && hash !== '#/login') this._returnTo = { hash, username: user?.username ?? null };
      window.location.hash = '#/login';
      this._route = { name: 'login' };
    }
  }

  private _startLive(): void {
    this._stopLive();
    const live = createLiveConnection(this._api, () => this._signedOut('session-ended'));
    // A socket that will not come back may mean the session ended: ask the API, whose 401 signs out.
    this._offStatus = live.onStatus((status) => {
      if (status !== 'reconnecting') return;
      this._api.get('/api/auth/me').catch((error: unknown) => {
        if (error instanceof ApiError && error.status === 401) this._signedOut('session-ended');
      });
    });
    live.start();
    this._live = live;
  }

  private _stopLive(): void {
    this._offStatus?.();
    this._offStatus = null;
    this._live?.stop();
    this._live = null;
  }

  private readonly _onHashChange = (): void => {
    this._route = parseRoute(window.location.hash);
  };

  private readonly _onOnline = (): void => {
    this._live?.reconnectNow();
  };

  private _onSkip(event: Event): void {
    event.preventDefault();
    this._main?.focus();
  }

  private _onSignedIn(event: CustomEvent<LoginAnswer>): void {
    this._signedIn(event.detail);
  }

  private _onTotpEnabled(): void {
    if (this._user !== null) this._user = { ...this._user, totpEnabled: true };
  }

  private async _onSignOut(): Promise<void> {
    try {
      await this._api.post('/api/auth/logout');
    } catch {
      // Signed out locally all the same; the cookie expires on its own.
    }
    this._signedOut('voluntary');
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'rs-app': RsApp;
  }
}
