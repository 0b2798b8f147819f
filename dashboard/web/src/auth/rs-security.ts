// The Security page: turn on two-factor sign-in by scanning a QR code (or typing the key) into an
// authenticator app and confirming one code.
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { TotpEnrolAnswer } from '../../../server/auth/types.js';
import type { SessionUser } from '../../../server/protocol.js';
import { ApiError, type Api } from '../api/http.js';
import { LocaleController } from '../i18n/locale.js';
import { msg } from '../i18n/messages.js';
import { sharedStyles } from '../theme/theme.js';
import { svgDataUrl } from './svg-image.js';

/**
 * TOTP enrolment.
 * @fires rs-totp-enabled - after the server confirmed the code.
 */
@customElement('rs-security')
export class RsSecurity extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
        max-width: 560px;
      }
      .qr {
        background: #fff;
        padding: 12px;
        border-radius: 8px;
        width: 220px;
        height: 220px;
      }
      form {
        display: flex;
        gap: 8px;
        align-items: end;
        flex-wrap: wrap;
        margin-top: 12px;
      }
      label {
        display: grid;
        gap: 4px;
      }
      .secret {
        font-family: var(--rs-mono);
        word-break: break-all;
        user-select: all;
      }
    `,
  ];

  @property({ attribute: false }) api: Api | null = null;
  @property({ attribute: false }) user: SessionUser | null = null;

  @state() private _enrolment: TotpEnrolAnswer | null = null;
  @state() private _busy = false;
  @state() private _result: 'confirmed' | 'invalid' | { error: string } | null = null;

  private readonly _locale = new LocaleController(this);

  override render() {
    const on = this.user?.totpEnabled === true;
    return html`<section class="panel" aria-labelledby="security-title">
      <h1 id="security-title">${msg('security.title')}</h1>
      <p data-testid="totp-state">${on ? msg('security.totpOn') : msg('security.totpOff')}</p>
      ${this._enrolment === null
        ? html`<button class="primary" data-testid="totp-enrol" ?disabled=${this._busy} @click=${this._onEnrol}>
            ${on ? msg('security.reenrol') : msg('security.enrol')}
          </button>`
        : this._renderEnrolment(this._enrolment)}
      <div role="status" aria-live="polite">${this._renderResult()}</div>
    </section>`;
  }

  private _renderEnrolment(enrolment: TotpEnrolAnswer) {
    return html`<p>${msg('security.scan')}</p>
      <img class="qr" data-testid="totp-qr" src=${svgDataUrl(enrolment.qrSvg)} alt=${msg('security.qrAlt')} />
      <p>${msg('security.secret')}: <span class="secret" data-testid="totp-secret">${enrolment.secret}</span></p>
      <form @submit=${this._onConfirm}>
        <label
          >${msg('security.code')}
          <input name="code" data-testid="totp-code" inputmode="numeric" autocomplete="one-time-code" maxlength="6" pattern="[0-9]{6}" required />
        </label>
        <button class="primary" type="submit" data-testid="totp-confirm" ?disabled=${this._busy}>${msg('security.confirm')}</button>
      </form>`;
  }

  private _renderResult() {
    const result = this._result;
    if (result === null) return nothing;
    if (result === 'confirmed') return html`<p data-testid="totp-result">${msg('security.confirmed')}</p>`;
    if (result === 'invalid') return html`<p class="error" data-testid="totp-result">${msg('security.invalid')}</p>`;
    return html`<p class="error" data-testid="totp-result">${msg('app.error', { message: result.error })}</p>`;
  }

  private async _onEnrol(): Promise<void> {
    if (this.api === null) return;
    this._busy = true;
    this._result = null;
    try {
      this._enrolment = await this.api.post<TotpEnrolAnswer>('/api/auth/totp/enrol');
    } catch (error) {
      this._result = { error: error instanceof Error ? error.message : String(error) };
    } finally {
      this._busy = false;
    }
  }

  private async _onConfirm(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    if (this.api === null) return;
    const code = String(new FormData(event.target as HTMLFormElement).get('code') ?? '').trim();
    this._busy = true;
    try {
      await this.api.post('/api/auth/totp/confirm', { code });
      this._result = 'confirmed';
      this._enrolment = null;
      this.dispatchEvent(new CustomEvent('rs-totp-enabled', { bubbles: true, composed: true }));
    } catch (error) {
      this._result = error instanceof ApiError && error.code === 'RS_ERR_TOTP_INVALID' ? 'invalid' : { error: error instanceof Error ? error.message : String(error) };
    } finally {
      this._busy = false;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'rs-security': RsSecurity;
  }
}
