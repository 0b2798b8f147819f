// The sign-in page: user name and password, then an authenticator code when the server asks for
// one (RS_ERR_TOTP_REQUIRED), and plain words for a wrong password, a bad code and a lock-out.
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import type { LoginAnswer } from '../../../server/protocol.js';
import { ApiError, type Api } from '../api/http.js';
import { formatDateTimeZoned } from '../i18n/format.js';
import { LocaleController } from '../i18n/locale.js';
import { msg } from '../i18n/messages.js';
import { sharedStyles } from '../theme/theme.js';

type Problem =
  | { readonly kind: 'failed' | 'totp-required' | 'totp-invalid' | 'locked' | 'unavailable' }
  | { readonly kind: 'locked-until'; readonly until: number }
  | { readonly kind: 'other'; readonly message: string };

/**
 * Sign-in form.
 * @fires rs-signed-in - detail: LoginAnswer, after the server accepted the credentials.
 */
@customElement('rs-login')
export class RsLogin extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
        max-width: 380px;
        margin: 8vh auto 0;
      }
      form {
        display: grid;
        gap: 12px;
      }
      label {
        display: grid;
        gap: 4px;
        font-size: 0.9rem;
      }
      .problem {
        border: 1px solid var(--rs-error);
        border-radius: 6px;
        padding: 8px 10px;
      }
    `,
  ];

  @property({ attribute: false }) api: Api | null = null;

  @state() private _needTotp = false;
  @state() private _busy = false;
  @state() private _problem: Problem | null = null;
  @query('#totp') private _totpInput!: HTMLInputElement | null;

  private readonly _locale = new LocaleController(this);

  override render() {
    return html`<section class="panel" aria-labelledby="login-title">
      <h1 id="login-title">${msg('login.title')}</h1>
      <form data-testid="login-form" @submit=${this._onSubmit} novalidate>
        <label
          >${msg('login.username')}
          <input id="username" name="username" data-testid="login-username" autocomplete="username" required autocapitalize="off" spellcheck="false" />
        </label>
        <label
          >${msg('login.password')}
          <input id="password" name="password" data-testid="login-password" type="password" autocomplete="current-password" required />
        </label>
        ${this._needTotp
          ? html`<label
              >${msg('login.totp')}
              <input
                id="totp"
                name="totp"
                data-testid="login-totp"
                inputmode="numeric"
                autocomplete="one-time-code"
                pattern="[0-9]{6}"
                maxlength="6"
                aria-describedby="totp-hint"
              />
              <span id="totp-hint" class="dim">${msg('login.totpHint')}</span>
            </label>`
          : nothing}
        <div role="alert" aria-live="assertive">${this._renderProblem()}</div>
        <button class="primary" type="submit" data-testid="login-submit" ?disabled=${this._busy}>${this._busy ? msg('login.busy') : msg('login.submit')}</button>
      </form>
    </section>`;
  }

  private _renderProblem() {
    const problem = this._problem;
    if (problem === null) return nothing;
    let text: string;
    switch (problem.kind) {
      case 'failed':
        text = msg('login.failed');
        break;
      case 'totp-required':
        text = msg('login.totpRequired');
        break;
      case 'totp-invalid':
        text = msg('login.totpInvalid');
        break;
      case 'locked':
        text = msg('login.locked');
        break;
      case 'locked-until':
        text = msg('login.lockedUntil', { time: formatDateTimeZoned(problem.until) });
        break;
      case 'unavailable':
        text = msg('login.unavailable');
        break;
      default:
        text = msg('app.error', { message: problem.message });
    }
    return html`<p class="problem" data-testid="login-error" data-kind=${problem.kind}>${text}</p>`;
  }

  private async _onSubmit(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    if (this.api === null || this._busy) return;
    const data = new FormData(event.target as HTMLFormElement);
    const username = String(data.get('username') ?? '').trim();
    const password = String(data.get('password') ?? '');
    const totp = String(data.get('totp') ?? '').trim();
    if (username === '' || password === '') {
      this._problem = { kind: 'failed' };
      return;
    }
    this._busy = true;
    this._problem = null;
    try {
      const answer = await this.api.post<LoginAnswer>('/api/auth/login', { username, password, ...(this._needTotp && totp !== '' ? { totp } : {}) });
      this.dispatchEvent(new CustomEvent<LoginAnswer>('rs-signed-in', { detail: answer, bubbles: true, composed: true }));
    } catch (error) {
      this._problem = problemOf(error);
      if (this._problem.kind === 'totp-required' || this._problem.kind === 'totp-invalid') {
        this._needTotp = true;
        await this.updateComplete;
        this._totpInput?.focus();
      }
    } finally {
      this._busy = false;
    }
  }
}

export function problemOf(error: unknown): Problem {
  if (!(error instanceof ApiError)) return { kind: 'unavailable' };
  switch (error.code) {
    case 'RS_ERR_LOGIN_FAILED':
      return { kind: 'failed' };
    case 'RS_ERR_TOTP_REQUIRED':
      return { kind: 'totp-required' };
    case 'RS_ERR_TOTP_INVALID':
      return { kind: 'totp-invalid' };
    case 'RS_ERR_LOGIN_LOCKED': {
      const until = lockedUntil(error.details) ?? (error.retryAfterSeconds === null ? null : Date.now() + error.retryAfterSeconds * 1000);
      return until === null ? { kind: 'locked' } : { kind: 'locked-until', until };
    }
    default:
      return error.status === 0 || error.status >= 500 ? { kind: 'unavailable' } : { kind: 'other', message: error.message };
  }
}

/** The lock-out end, when the server tells it (`details.lockedUntil` epoch ms or `details.retryAfterSeconds`). */
function lockedUntil(details: unknown): number | null {
  if (typeof details !== 'object' || details === null) return null;
  const d = details as { lockedUntil?: unknown; retryAfterSeconds?: unknown };
  if (typeof d.lockedUntil === 'number' && Number.isFinite(d.lockedUntil)) return d.lockedUntil;
  if (typeof d.retryAfterSeconds === 'number' && Number.isFinite(d.retryAfterSeconds)) return Date.now() + d.retryAfterSeconds * 1000;
  return null;
}

declare global {
  interface HTMLElementTagNameMap {
    'rs-login': RsLogin;
  }
}
