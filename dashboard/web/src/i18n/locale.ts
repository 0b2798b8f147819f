// The app's current language: read once from localStorage (or the browser), switchable at run time,
// remembered, and announced to every component through a LocaleController.
import type { ReactiveController, ReactiveControllerHost } from 'lit';

export const LOCALES = ['en', 'zh-CN'] as const;
export type Locale = (typeof LOCALES)[number];

const STORAGE_KEY = 'rs.locale';
const changes = new EventTarget();
let current: Locale = initialLocale();

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

export function getLocale(): Locale {
  return current;
}

/** Switches the language everywhere and remembers it for the next visit. */
export function setLocale(locale: Locale): void {
  if (locale === current) return;
  current = locale;
  try {
    globalThis.localStorage?.setItem(STORAGE_KEY, locale);
  } catch {
    // Private mode or a full quota: the switch still applies to this tab.
  }
  applyToDocument(locale);
  changes.dispatchEvent(new Event('change'));
}

/** The user's stored preference wins; the account's language is only a default for a first visit. */
export function adoptAccountLocale(locale: string): void {
  if (storedLocale() === null && isLocale(locale)) setLocale(locale);
}

export function onLocaleChange(listener: () => void): () => void {
  changes.addEventListener('change', listener);
  return () => changes.removeEventListener('change', listener);
}

/** Re-renders its host when the language changes. */
export class LocaleController implements ReactiveController {
  private readonly _host: ReactiveControllerHost;
  private _off: (() => void) | null = null;

  constructor(host: ReactiveControllerHost) {
    this._host = host;
    host.addController(this);
  }

  hostConnected(): void {
    this._off = onLocaleChange(() => this._host.requestUpdate());
  }

  hostDisconnected(): void {
    this._off?.();
    this._off = null;
  }
}

function storedLocale(): Locale | null {
  try {
    const value = globalThis.localStorage?.getItem(STORAGE_KEY);
    return isLocale(value) ? value : null;
  } catch {
    return null;
  }
}

function initialLocale(): Locale {
  const stored = storedLocale();
  const locale = stored ?? (globalThis.navigator?.language?.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en');
  applyToDocument(locale);
  return locale;
}

function applyToDocument(locale: Locale): void {
  if (typeof document !== 'undefined') document.documentElement.lang = locale;
}
