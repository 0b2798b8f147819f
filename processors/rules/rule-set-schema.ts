// The rule-set file format (JSON, version 1): the TypeBox schema that validates it at start-up
// and the wire types it produces. Rules are data so that an operator can tune them without code.
import { Type, type Static } from '@sinclair/typebox';
import { CHANNELS, DOMAINS, EVENT_KINDS, PAYMENT_TYPES, SEVERITIES, StringEnum } from '../../core/contracts/index.js';

export const COMPARISON_OPS = ['>', '>=', '<', '<=', '==', '!='] as const;
export type ComparisonOp = (typeof COMPARISON_OPS)[number];

/**
 * Event fields a rule may filter on, the kinds that carry them, and their allowed values. A table
 * rather than free field paths, so that a typo in a filter fails at load instead of silently
 * never matching.
 */
export const FILTER_FIELDS = {
  type: { kinds: ['payment'], values: PAYMENT_TYPES },
  channel: { kinds: ['payment'], values: CHANNELS },
} as const;
export type FilterField = keyof typeof FILTER_FIELDS;

/** Stable rule ids such as `FR-VEL-1M`: they are reason codes on the bus and in storage. */
export const RuleId = Type.String({ pattern: '^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$', maxLength: 40 });
export const ParamName = Type.String({ pattern: '^[a-z][A-Za-z0-9]*$', maxLength: 40 });
const FeatureName = Type.String({ pattern: '^[a-z][a-z0-9_]*$', maxLength: 64 });

/** The right-hand side of a comparison: a literal number or a named parameter of the rule. */
export const Operand = Type.Union([
  Type.Number(),
  Type.Object({ param: ParamName }, { additionalProperties: false }),
]);

/**
 * One node of a condition tree. One flat object with optional members (rather than a union of
 * four shapes) keeps ajv's errors to the point ("op must be one of …"); the loader then checks
 * that exactly one form is used: `all`, `any`, `not`, or a leaf `feature` `op` `value`.
 */
export const ConditionSchema = Type.Recursive(
  (Self) =>
    Type.Object(
      {
        all: Type.Optional(Type.Array(Self, { minItems: 1, maxItems: 32 })),
        any: Type.Optional(Type.Array(Self, { minItems: 1, maxItems: 32 })),
        not: Type.Optional(Self),
        feature: Type.Optional(FeatureName),
        op: Type.Optional(StringEnum(COMPARISON_OPS)),
        value: Type.Optional(Operand),
      },
      { additionalProperties: false },
    ),
  { $id: 'RuleCondition' },
);
export type ConditionWire = Static<typeof ConditionSchema>;

export const RuleSchema = Type.Object(
  {
    id: RuleId,
    description: Type.String({ minLength: 1, maxLength: 1000 }),
    domain: StringEnum(DOMAINS),
    /** The typology tag an alert carries when this rule leads it, e.g. `card_testing`. */
    typology: Type.String({ pattern: '^[a-z][a-z0-9_]*$', maxLength: 64 }),
    kinds: Type.Array(StringEnum(EVENT_KINDS), { minItems: 1, uniqueItems: true }),
    filters: Type.Optional(
      Type.Object(
        {
          type: Type.Optional(Type.Array(StringEnum(FILTER_FIELDS.type.values), { minItems: 1, uniqueItems: true })),
          channel: Type.Optional(Type.Array(StringEnum(FILTER_FIELDS.channel.values), { minItems: 1, uniqueItems: true })),
        },
        { additionalProperties: false },
      ),
    ),
    when: ConditionSchema,
    params: Type.Optional(Type.Record(ParamName, Type.Number())),
    /** Weight 0–1000; give either points or a severity (which maps to points). */
    points: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000 })),
    severity: Type.Optional(StringEnum(SEVERITIES)),
    /** Words for a person; `{feature}`, `{param}` and `{name:format}` are filled in. */
    reason: Type.String({ minLength: 1, maxLength: 500 }),
    /** The reason in other languages, with the same placeholders (durations and days in that language's words). */
    reasonIn: Type.Optional(Type.Object({ 'zh-CN': Type.Optional(Type.String({ minLength: 1, maxLength: 500 })) }, { additionalProperties: false })),
    enabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type RuleWire = Static<typeof RuleSchema>;

export const RuleSetSchema = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    id: Type.String({ pattern: '^[a-z][a-z0-9_-]*$', maxLength: 64 }),
    version: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._+-]*$', maxLength: 64 }),
    description: Type.Optional(Type.String({ maxLength: 2000 })),
    rules: Type.Array(RuleSchema, { maxItems: 1000 }),
  },
  { additionalProperties: false },
);
export type RuleSetWire = Static<typeof RuleSetSchema>;

/** Points for a rule that states a severity instead of points. */
export const SEVERITY_POINTS = { low: 150, medium: 300, high: 500, critical: 800 } as const;
