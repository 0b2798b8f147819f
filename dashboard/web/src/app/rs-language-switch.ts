// The language switcher: English / 简体中文, applied at once and remembered.
import { LitElement, html } from 'lit';
import { customElement } from 'lit/decorators.js';
import { LOCALES, LocaleController, getLocale, isLocale, setLocale, type Locale } from '../i18n/locale.js';
import { msg } from '../i18n/messages.js';
import { sharedStyles } from '../theme/theme.js';

/** Each language names itself, so a reader who cannot read the current one still finds theirs. */
const NATIVE_NAMES: Readonly<Record<Locale, string>> = { en: 'English', 'zh-CN': '简体中文' };

/** A select of the app's languages. */
@customElement('rs-language-switch')
export class RsLanguageSwitch extends LitElement {
  static override styles = [sharedStyles];

  constructor() {
    super();
    new LocaleController(this);
  }

  override render() {
    const current = getLocale();
    return html`<label>
      <span class="visually-hidden">${msg('app.language')}</span>
      <select data-testid="language-switch" aria-label=${msg('app.language')} @change=${this._onChange}>
        ${LOCALES.map((locale) => html`<option value=${locale} lang=${locale} ?selected=${locale === current}>${NATIVE_NAMES[locale]}</option>`)}
      </select>
    </label>`;
  }

  private _onChange(event: Event): void {
    const value = (event.target as HTMLSelectElement).value;
    if (isLocale(value)) setLocale(value);
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'rs-language-switch': RsLanguageSwitch;
  }
}
