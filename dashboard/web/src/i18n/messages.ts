// Looks up UI text in the current language's catalog and fills `{placeholders}`.
// Decision: a small typed catalog instead of @lit/localize. Keys are checked by the compiler (a
// typo or a key missing from a catalog fails `tsc`), switching needs no reload and no generated
// modules, and the catalogs stay plain objects a translator can read. See dashboard/web/README.md.
import { getLocale, type Locale } from './locale.js';
import { en, type MessageKey } from './messages-en.js';
import { zhCN } from './messages-zh-CN.js';

export type { MessageKey } from './messages-en.js';
export type MessageParams = Readonly<Record<string, string | number>>;

export const CATALOGS: Readonly<Record<Locale, Readonly<Record<MessageKey, string>>>> = { en, 'zh-CN': zhCN };

const PLACEHOLDER = /\{(\w+)\}/g;

/** The text for `key` in the current language; parameters are inserted as given (format them first). */
export function msg(key: MessageKey, params?: MessageParams): string {
  const text = CATALOGS[getLocale()][key] ?? en[key];
  if (params === undefined) return text;
  return text.replace(PLACEHOLDER, (whole, name: string) => {
    const value = params[name];
    return value === undefined ? whole : String(value);
  });
}

type CountedKey = { [K in MessageKey]: `${K}.one` extends MessageKey ? K : never }[MessageKey];

/**
 * Text that counts something, in the plural form the language needs for `count`: the key's `.one`
 * variant when the language's plural rules say "one" (English "1 alert"), the key itself otherwise.
 * `count` is passed to the text already formatted, as `{count}`.
 */
export function msgCount(key: CountedKey, count: number, params: MessageParams = {}): string {
  const one = `${key}.one` as MessageKey;
  const form = new Intl.PluralRules(getLocale()).select(count);
  return msg(form === 'one' ? one : key, { count: formatCount(count), ...params });
}

function formatCount(count: number): string {
  return new Intl.NumberFormat(getLocale(), { maximumFractionDigits: 0 }).format(count);
}

/** A typology's name in the current language: the identifier in English, a name in Chinese; unknown ones as they are. */
export function typologyText(typology: string): string {
  const key = `typology.${typology}`;
  return key in en ? msg(key as MessageKey) : typology;
}

/** A feature's name in words (the identifier when there are none). */
export function featureText(name: string): string {
  const key = `feature.${name}`;
  return key in en ? msg(key as MessageKey) : name;
}

/** A scorer's name in words (the identifier when there are none). */
export function scorerText(name: string): string {
  const key = `scorer.${name}`;
  return key in en ? msg(key as MessageKey) : name;
}

/** A decision's reason in the current language when its scorer wrote it in that language, else as written (English). */
export function reasonText(reason: { readonly text: string; readonly texts?: Readonly<Record<string, string>> }): string {
  return reason.texts?.[getLocale()] ?? reason.text;
}

/** Domain values (actions, severities, …) shown in words; unknown values show as they are. */
export function valueText(value: string): string {
  const key = `value.${value}`;
  return key in en ? msg(key as MessageKey) : value;
}
