// Building blocks shared by every event contract (wire shapes, version 1).
import { CloneType, Type, type Static, type TSchema, type TUnsafe } from '@sinclair/typebox';

export const EventId = Type.String({
  minLength: 1,
  maxLength: 128,
  pattern: '^[A-Za-z0-9][A-Za-z0-9._:@-]*$',
  description: 'Client-given unique id; assigned at ingest when absent. It is the JetStream Nats-Msg-Id and the storage dedup key.',
});

export const Timestamp = Type.String({
  format: 'date-time',
  maxLength: 40,
  description: 'Event time, ISO 8601 with a zone (UTC recommended), millisecond precision.',
});

export const Amount = Type.String({
  maxLength: 24,
  pattern: '^(0|[1-9][0-9]*)(\\.[0-9]+)?$',
  description: 'Non-negative decimal string in major units ("1250.00"); at most the currency\'s decimals.',
});

export const Currency = Type.String({
  pattern: '^[A-Z]{3}$',
  description: 'ISO 4217 alphabetic code in use (withdrawn codes are refused) that riskstream has a USD rate for (rule `fx_rate`: about 45 by default, more with `RISKSTREAM_FX_RATES`). Every money field of the event is in this currency.',
});
/** An ISO 3166-1 alpha-2 code (or XK, Kosovo's code in common use): the shape by pattern, the list by the `country` format. */
export const Country = Type.String({ pattern: '^[A-Z]{2}$', format: 'country', description: 'ISO 3166-1 alpha-2.' });
/**
 * A reference to something the sender knows by id (account, customer, loan, device, …): no space
 * or control character at either end and no control character inside, so that "C-1", " C-1" and
 * "C-1\n" are never three customers.
 */
export const REF_PATTERN = '^[^\\s\\p{Cc}](?:[^\\p{Cc}]*[^\\s\\p{Cc}])?$';
export const Ref = Type.String({ minLength: 1, maxLength: 128, pattern: REF_PATTERN });
export const Name = Type.String({ minLength: 1, maxLength: 256 });
export const Bic = Type.String({ pattern: '^[A-Z0-9]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$', description: 'BIC (8 or 11)' });
export const DateOnly = Type.String({ format: 'date', description: 'Calendar date, YYYY-MM-DD.' });

/**
 * Ground truth from the simulator or a labelled replay. Kept apart from the event's own
 * fields: no scorer ever reads it; it travels so that detection can be measured.
 */
export const Labels = Type.Object(
  {
    patterns: Type.Array(Type.String({ maxLength: 64 }), {
      maxItems: 16,
      description: 'Names of the simulated patterns this event takes part in (for example card_testing); empty for normal traffic.',
    }),
    fraud: Type.Optional(Type.Boolean({ description: 'True when the event is part of a fraud pattern.' })),
    aml: Type.Optional(Type.Boolean({ description: 'True when the event is part of a money-laundering pattern.' })),
    credit: Type.Optional(Type.Boolean({ description: 'True when the event is part of a credit-risk pattern (for example a borrower heading for default).' })),
    scenarioId: Type.Optional(Type.String({ maxLength: 128, description: 'Id of the simulated scenario instance, to group the events of one case.' })),
  },
  {
    additionalProperties: false,
    description: 'Ground truth from the simulator or a labelled replay; never read by scorers, carried so that detection can be measured.',
  },
);
export type Labels = Static<typeof Labels>;

export function envelope<K extends string>(kind: K) {
  return {
    v: Type.Literal(1, { description: 'Contract version. Always 1; a new version gets a new number.' }),
    kind: Type.Literal(kind, { description: 'The kind of event; selects the contract the rest of the event is checked against.' }),
    id: Type.Optional(EventId),
    ts: Timestamp,
    labels: Type.Optional(Labels),
  };
}

/**
 * The same schema with a description of what it means at this place. Shared building blocks
 * (Ref, Amount) mean different things in different fields; a clone keeps the shared one intact.
 * (CloneType's own options argument would not replace a description the block already has.)
 */
export function describedAs<T extends TSchema>(schema: T, description: string): T {
  return { ...CloneType(schema), description };
}

/** A closed set of strings as a JSON-schema `enum`, so errors read "must be one of: …". */
export function StringEnum<const T extends readonly string[]>(values: T, description?: string): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...(description ? { description } : {}) });
}
