// Reason templates: "{out_count_1m} payments in the last minute (limit {maxPerMinute})".
// Parsed once at load; parameters are known then, so they are rendered into the literal text and
// only feature values are filled in when the rule fires.
import type { FeatureVector } from '../features/names.js';
import { REASON_FORMATS, isReasonFormat, type ReasonFormats } from './reason-format.js';

type Format = (value: number) => string;

/** The names a template may use: features from the catalogue and the rule's parameters. */
export type TemplateScope = {
  readonly features: ReadonlySet<string>;
  readonly params: Readonly<Record<string, number>>;
  /** Receives the parameters the text uses, so the loader can flag unused ones. */
  readonly usedParams: Set<string>;
};

export type TemplateParse = { readonly ok: true; readonly template: ReasonTemplate } | { readonly ok: false; readonly message: string };

/** What a feature shows when the rule fired but that feature (read only by the text) is absent. */
const ABSENT = 'unknown';

export class ReasonTemplate {
  /** Literal text around the holes: `_texts.length === _features.length + 1`. */
  private readonly _texts: readonly string[];
  private readonly _features: readonly string[];
  private readonly _formats: readonly Format[];
  /** Features the text reads (which the condition may not). */
  readonly features: readonly string[];

  constructor(texts: readonly string[], features: readonly string[], formats: readonly Format[]) {
    this._texts = texts;
    this._features = features;
    this._formats = formats;
    this.features = [...new Set(features)];
  }

  render(values: FeatureVector): string {
    let out = this._texts[0] as string;
    for (let i = 0; i < this._features.length; i++) {
      const value = values[this._features[i] as string];
      const shown = typeof value === 'number' && Number.isFinite(value) ? (this._formats[i] as Format)(value) : ABSENT;
      out += shown + (this._texts[i + 1] as string);
    }
    return out;
  }
}

/** Parses `{name}` and `{name:format}` holes; `{{` and `}}` stand for literal braces. */
export function parseReasonTemplate(source: string, scope: TemplateScope, formatsOf: ReasonFormats = REASON_FORMATS): TemplateParse {
  const texts: string[] = [];
  const features: string[] = [];
  const formats: Format[] = [];
  let literal = '';
  let i = 0;
  while (i < source.length) {
    const ch = source[i] as string;
    if (ch === '}') {
      if (source[i + 1] !== '}') return fail(`a lone "}" at character ${i + 1} (write "}}" for a literal brace)`);
      literal += '}';
      i += 2;
      continue;
    }
    if (ch !== '{') {
      literal += ch;
      i += 1;
      continue;
    }
    if (source[i + 1] === '{') {
      literal += '{';
      i += 2;
      continue;
    }
    const close = source.indexOf('}', i + 1);
    if (close < 0 || source.lastIndexOf('{', close) !== i) return fail(`"{" at character ${i + 1} is never closed`);
    const hole = source.slice(i + 1, close);
    const colon = hole.indexOf(':');
    const name = (colon < 0 ? hole : hole.slice(0, colon)).trim();
    const formatName = colon < 0 ? 'number' : hole.slice(colon + 1).trim();
    if (name === '') return fail(`an empty placeholder "{${hole}}"`);
    if (!isReasonFormat(formatName)) {
      return fail(`unknown format "${formatName}" in "{${hole}}"; formats are: ${Object.keys(REASON_FORMATS).join(', ')}`);
    }
    const format = formatsOf[formatName];
    const isParam = Object.hasOwn(scope.params, name);
    const isFeature = scope.features.has(name);
    if (isParam && isFeature) return fail(`"{${name}}" is both a feature and a parameter; rename the parameter`);
    if (isParam) {
      scope.usedParams.add(name);
      literal += format(scope.params[name] as number);
    } else if (isFeature) {
      texts.push(literal);
      literal = '';
      features.push(name);
      formats.push(format);
    } else {
      return fail(`"{${name}}" is neither a known feature nor a parameter of this rule`);
    }
    i = close + 1;
  }
  texts.push(literal);
  return { ok: true, template: new ReasonTemplate(texts, features, formats) };
}

function fail(message: string): TemplateParse {
  return { ok: false, message };
}
