// The customer (KYC profile) event: segment, risk rating, PEP status and where they live.
import { Type, type Static } from '@sinclair/typebox';
import { Country, DateOnly, Name, Ref, Timestamp, envelope, StringEnum } from './common.js';

export const SEGMENTS = ['vip', 'important', 'standard'] as const;
export type Segment = (typeof SEGMENTS)[number];
export const RISK_RATINGS = ['low', 'medium', 'high'] as const;

export const CustomerEventSchema = Type.Object(
  {
    ...envelope('customer'),
    customerId: Ref,
    type: StringEnum(['individual', 'business'] as const),
    name: Name,
    segment: StringEnum(SEGMENTS),
    riskRating: StringEnum(RISK_RATINGS),
    pep: Type.Boolean(),
    country: Country,
    nationality: Type.Optional(Type.String({ pattern: '^[A-Z]{2}$' })),
    dateOfBirth: Type.Optional(DateOnly),
    occupation: Type.Optional(Type.String({ maxLength: 128 })),
    accounts: Type.Optional(Type.Array(Ref, { maxItems: 64 })),
    onboardedAt: Type.Optional(Timestamp),
  },
  { additionalProperties: false, $id: 'customer' },
);
export type CustomerEventWire = Static<typeof CustomerEventSchema>;
