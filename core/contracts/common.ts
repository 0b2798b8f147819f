// Building blocks shared by every event contract (wire shapes, version 1).
import { Type, type Static, type TUnsafe } from '@sinclair/typebox';

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

export const Currency = Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217 alphabetic code in use.' });
export const Country = Type.String({ pattern: '^[A-Z]{2}$', description: 'ISO 3166-1 alpha-2.' });
export const Ref = Type.String({ minLength: 1, maxLength: 128 });
export const Name = Type.String({ minLength: 1, maxLength: 256 });
export const Bic = Type.String({ pattern: '^[A-Z0-9]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$', description: 'BIC (8 or 11)' });
export const DateOnly = Type.String({ format: 'date' });

/**
 * Ground truth from the simulator or a labelled replay. Kept apart from the event's own
 * fields: no scorer ever reads it; it travels so that detection can be measured.
 */
export const Labels = Type.Object(
  {
    patterns: Type.Array(Type.String({ maxLength: 64 }), { maxItems: 16 }),
    fraud: Type.Optional(Type.Boolean()),
    aml: Type.Optional(Type.Boolean()),
    credit: Type.Optional(Type.Boolean()),
    scenarioId: Type.Optional(Type.String({ maxLength: 128 })),
  },
  { additionalProperties: false },
);
export type Labels = Static<typeof Labels>;

export function envelope<K extends string>(kind: K) {
  return {
    v: Type.Literal(1),
    kind: Type.Literal(kind),
    id: Type.Optional(EventId),
    ts: Timestamp,
    labels: Type.Optional(Labels),
  };
}

/** A closed set of strings as a JSON-schema `enum`, so errors read "must be one of: …". */
export function StringEnum<const T extends readonly string[]>(values: T, description?: string): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...(description ? { description } : {}) });
}
