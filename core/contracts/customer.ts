// The customer (KYC profile) event: segment, risk rating, PEP status and where they live.
import { Type, type Static } from '@sinclair/typebox';
import { Country, DateOnly, Name, Ref, Timestamp, describedAs, envelope, StringEnum } from './common.js';

export const SEGMENTS = ['vip', 'important', 'standard'] as const;
export type Segment = (typeof SEGMENTS)[number];
export const RISK_RATINGS = ['low', 'medium', 'high'] as const;

export const CustomerEventSchema = Type.Object(
  {
    ...envelope('customer'),
    customerId: describedAs(Ref, 'The bank\'s customer id; payments and loans refer to it. Of several events for one id, the one with the latest `ts` is the current profile.'),
    type: StringEnum(['individual', 'business'] as const, 'A person or a legal entity.'),
    name: describedAs(Name, 'Full legal name; screened against sanctions and PEP lists.'),
    segment: StringEnum(SEGMENTS, 'Customer segment; fraud review and block thresholds are set per segment.'),
    riskRating: StringEnum(RISK_RATINGS, 'KYC risk rating given at onboarding or at the last review.'),
    pep: Type.Boolean({ description: 'Politically exposed person (or a relative or close associate of one), as found by KYC.' }),
    country: describedAs(Country, 'Country of residence (individual) or of incorporation (business), ISO 3166-1 alpha-2.'),
    nationality: Type.Optional(describedAs(Country, 'Nationality, ISO 3166-1 alpha-2.')),
    dateOfBirth: Type.Optional(describedAs(DateOnly, 'Date of birth (individuals), YYYY-MM-DD.')),
    occupation: Type.Optional(Type.String({ maxLength: 128, description: 'Occupation or line of business, free text.' })),
    accounts: Type.Optional(Type.Array(Ref, { maxItems: 64, description: 'Account ids the customer holds, as they appear in payments (`debtor.accountId`): a payment from one of them that names no `debtor.customerId` is decided with this customer\'s profile (segment thresholds, risk rating), and its decision and alerts name this customer. An account another customer\'s later event lists moves to that customer. The customer\'s latest event with `accounts` is the whole list: an account its earlier event listed and it does not is unlinked (payments from it name no customer until a customer event lists it again); without `accounts`, an event leaves the links as they are.' })),
    onboardedAt: Type.Optional(describedAs(Timestamp, 'When the customer relationship began: RFC 3339 with a zone, read as `ts` is (an offset with its colon; a leap second is the millisecond before it).')),
  },
  { additionalProperties: false, $id: 'customer' },
);
export type CustomerEventWire = Static<typeof CustomerEventSchema>;
