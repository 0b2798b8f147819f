// The payment event: card, transfer, remittance, cash, bill/cheque and e-wallet movements.
import { Type, type Static } from '@sinclair/typebox';
import { Amount, Bic, Country, Currency, Name, Ref, envelope, StringEnum } from './common.js';

export const PAYMENT_TYPES = [
  'card',
  'transfer',
  'remittance',
  'cash_deposit',
  'cash_withdrawal',
  'bill',
  'cheque',
  'ewallet',
] as const;
export const CHANNELS = ['mobile', 'online', 'pos', 'ecommerce', 'atm', 'branch', 'api', 'wire'] as const;

export const Party = Type.Object(
  {
    accountId: Ref,
    customerId: Type.Optional(Ref),
    name: Type.Optional(Name),
    bank: Type.Optional(Bic),
    country: Type.Optional(Country),
    accountType: Type.Optional(StringEnum(['personal', 'business', 'wallet'] as const)),
  },
  { additionalProperties: false },
);
export type Party = Static<typeof Party>;

export const PaymentEventSchema = Type.Object(
  {
    ...envelope('payment'),
    type: StringEnum(PAYMENT_TYPES),
    channel: StringEnum(CHANNELS),
    amount: Amount,
    currency: Currency,
    debtor: Party,
    creditor: Party,
    merchant: Type.Optional(
      Type.Object(
        {
          id: Ref,
          name: Type.Optional(Name),
          mcc: Type.Optional(Type.String({ pattern: '^[0-9]{4}$' })),
          country: Type.Optional(Country),
        },
        { additionalProperties: false },
      ),
    ),
    card: Type.Optional(
      Type.Object(
        {
          bin: Type.Optional(Type.String({ pattern: '^[0-9]{6,8}$' })),
          last4: Type.Optional(Type.String({ pattern: '^[0-9]{4}$' })),
          present: Type.Optional(Type.Boolean()),
        },
        { additionalProperties: false },
      ),
    ),
    device: Type.Optional(
      Type.Object(
        {
          id: Type.Optional(Ref),
          ip: Type.Optional(Type.Union([Type.String({ format: 'ipv4' }), Type.String({ format: 'ipv6' })])),
          userAgent: Type.Optional(Type.String({ maxLength: 512 })),
        },
        { additionalProperties: false },
      ),
    ),
    geo: Type.Optional(
      Type.Object(
        { lat: Type.Number({ minimum: -90, maximum: 90 }), lon: Type.Number({ minimum: -180, maximum: 180 }) },
        { additionalProperties: false },
      ),
    ),
    purpose: Type.Optional(Type.String({ maxLength: 140 })),
    reference: Type.Optional(Type.String({ maxLength: 140 })),
  },
  { additionalProperties: false, $id: 'payment' },
);
export type PaymentEventWire = Static<typeof PaymentEventSchema>;
