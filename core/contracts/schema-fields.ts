// Flattens an event contract (a TypeBox schema, which is plain JSON schema) into one row per
// field, so that docs/events.md is generated from the same schemas the validators compile and
// cannot drift from them.
import { REF_PATTERN } from './common.js';

/** The part of JSON schema the contracts use; anything else is ignored rather than guessed at. */
export type JsonSchema = {
  readonly type?: string | readonly string[];
  readonly description?: string;
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly items?: JsonSchema;
  readonly anyOf?: readonly JsonSchema[];
  readonly enum?: readonly unknown[];
  readonly const?: unknown;
  readonly pattern?: string;
  readonly format?: string;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly additionalProperties?: boolean | JsonSchema;
};

export type FieldRow = {
  /** Dotted path from the event root (`debtor.accountId`); `[]` marks the items of an array. */
  readonly path: string;
  readonly type: string;
  /** `yes`, `no`, or `with <parent>` when the field is required only if its optional parent is sent. */
  readonly required: string;
  /** What the value must satisfy besides its type: enum values, pattern, format, ranges. */
  readonly rule: string;
  readonly description: string;
};

export type FieldRowOptions = {
  /** Fields listed last (the envelope's labels are not the event's own data). */
  readonly last?: readonly string[];
  /** Extra rule text per top-level field, for meaning the schema cannot carry (money). */
  readonly extraRule?: Readonly<Record<string, string>>;
};

export function fieldRowsOf(schema: JsonSchema, options: FieldRowOptions = {}): FieldRow[] {
  const rows: FieldRow[] = [];
  walkObject(schema, '', undefined, rows, options);
  return rows;
}

function walkObject(schema: JsonSchema, prefix: string, parentCondition: string | undefined, rows: FieldRow[], options: FieldRowOptions): void {
  const required = new Set(schema.required ?? []);
  const last = prefix === '' ? (options.last ?? []) : [];
  const names = Object.keys(schema.properties ?? {});
  const ordered = [...names.filter((n) => !last.includes(n)), ...names.filter((n) => last.includes(n))];
  for (const name of ordered) {
    const field = schema.properties![name]!;
    const path = prefix === '' ? name : `${prefix}.${name}`;
    const own = required.has(name);
    const extra = prefix === '' ? options.extraRule?.[name] : undefined;
    rows.push({
      path,
      type: typeOf(field),
      required: own ? (parentCondition ?? 'yes') : 'no',
      rule: [extra, ruleOf(field)].filter(Boolean).join('; '),
      description: field.description ?? '',
    });
    // A required field inside an optional object is required only when that object is sent.
    const childCondition = own ? parentCondition : `with \`${path}\``;
    if (field.properties) walkObject(field, path, childCondition, rows, options);
    else if (field.items?.properties) walkObject(field.items, `${path}[]`, childCondition, rows, options);
  }
}

function typeOf(schema: JsonSchema): string {
  if (schema.anyOf) return unique(schema.anyOf.map(typeOf)).join(' or ');
  if (schema.type === 'array') return schema.items ? `${typeOf(schema.items)}[]` : 'array';
  if (Array.isArray(schema.type)) return schema.type.join(' or ');
  if (typeof schema.type === 'string') return schema.type;
  if (schema.const !== undefined) return typeof schema.const;
  return 'any JSON';
}

function ruleOf(schema: JsonSchema): string {
  if (schema.anyOf) return unique(schema.anyOf.map(ruleOf).filter(Boolean)).join(' or ');
  const parts: string[] = [];
  if (schema.const !== undefined) parts.push(`exactly \`${JSON.stringify(schema.const)}\``);
  if (schema.enum) parts.push(`one of ${schema.enum.map((v) => `\`${String(v)}\``).join(', ')}`);
  if (schema.format) parts.push(FORMATS[schema.format] ?? `format \`${schema.format}\``);
  if (schema.pattern === REF_PATTERN) parts.push('no space at either end, no control character');
  else if (schema.pattern) parts.push(`pattern \`${schema.pattern}\``);
  const length = rangeText(schema.minLength, schema.maxLength, 'characters');
  if (length) parts.push(length);
  const range = rangeText(schema.minimum, schema.maximum, '');
  if (range) parts.push(range);
  if (schema.type === 'array') {
    const count = rangeText(schema.minItems, schema.maxItems, 'items');
    if (count) parts.push(count);
    const each = schema.items && !schema.items.properties ? ruleOf(schema.items) : '';
    if (each) parts.push(`each ${each}`);
  }
  if (schema.additionalProperties === false) parts.push('no other fields');
  return parts.join('; ');
}

const FORMATS: Readonly<Record<string, string>> = {
  'date-time': 'RFC 3339 date-time with a zone (`2026-11-29T10:15:00.000Z`)',
  date: 'RFC 3339 full-date (`2026-11-29`)',
  ipv4: 'IPv4 address',
  ipv6: 'IPv6 address',
  country: 'an ISO 3166-1 alpha-2 code in use (or `XK`)',
};

function rangeText(min: number | undefined, max: number | undefined, unit: string): string {
  const suffix = unit ? ` ${unit}` : '';
  if (min !== undefined && max !== undefined) return `${min} to ${max}${suffix}`;
  if (max !== undefined) return `at most ${max}${suffix}`;
  if (min !== undefined) return `at least ${min}${suffix}`;
  return '';
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}
