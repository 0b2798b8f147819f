// The payment event: card, transfer, remittance, cash, bill/cheque and e-wallet movements.
import { Type, type Static } from '@sinclair/typebox';
import { Amount, Bic, Country, Currency, Name, Ref, describedAs, envelope, StringEnum } from './common.js';

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
    accountId: describedAs(Ref, 'The account debited or credited: an IBAN, a card account or the bank\'s own account number.'),
    customerId: Type.Optional(describedAs(Ref, 'The account holder\'s customer id, as in `customer` events; links the payment to the KYC profile.')),
    name: Type.Optional(describedAs(Name, 'Account holder name as sent by the payer\'s bank; screened against sanctions and PEP lists.')),
    bank: Type.Optional(describedAs(Bic, 'BIC (8 or 11 characters) of the bank holding the account.')),
    country: Type.Optional(describedAs(Country, 'Country of the account (ISO 3166-1 alpha-2); cross-border and high-risk country rules read it.')),
    accountType: Type.Optional(StringEnum(['personal', 'business', 'wallet'] as const, 'What kind of account this is.')),
  },
  { additionalProperties: false },
);
export type Party = Static<typeof Party>;

export const PaymentEventSchema = Type.Object(
  {
    ...envelope('payment'),
    type: StringEnum(PAYMENT_TYPES, 'The payment instrument or scheme.'),
    channel: StringEnum(CHANNELS, 'Where the payment was initiated: app, web, terminal, ATM, branch counter, partner API or wire network.'),
    amount: describedAs(Amount, 'The amount moved, in `currency`, as a decimal string in major units ("1250.00").'),
    currency: Currency,
    debtorBalance: Type.Optional(
      describedAs(
        Amount,
        "The debtor account's available balance just before this payment, in `currency`, as the sending bank knows it. Optional; when given, a payment that takes (nearly) all of it is a draining signal.",
      ),
    ),
    debtor: describedAs(Party, 'The payer: the party whose account is debited. Its accountId is the partition key.'),
    creditor: describedAs(Party, 'The payee: the party whose account is credited (for card payments, the merchant\'s account).'),
    merchant: Type.Optional(
      Type.Object(
        {
          id: describedAs(Ref, 'The acquirer\'s merchant id.'),
          name: Type.Optional(describedAs(Name, 'Merchant name as the cardholder sees it.')),
          mcc: Type.Optional(Type.String({ pattern: '^[0-9]{4}$', description: 'Merchant category code (ISO 18245), four digits.' })),
          country: Type.Optional(describedAs(Country, 'Country where the merchant is located.')),
        },
        { additionalProperties: false, description: 'The card acceptor, for card and e-commerce payments.' },
      ),
    ),
    card: Type.Optional(
      Type.Object(
        {
          bin: Type.Optional(Type.String({ pattern: '^[0-9]{6,8}$', description: 'Bank identification number: the first 6 to 8 digits of the card number.' })),
          last4: Type.Optional(Type.String({ pattern: '^[0-9]{4}$', description: 'Last four digits of the card number. The full card number is never sent.' })),
          present: Type.Optional(Type.Boolean({ description: 'True when the card was physically present (chip, contactless, swipe); false for card-not-present.' })),
        },
        { additionalProperties: false, description: 'The card used, for card payments.' },
      ),
    ),
    device: Type.Optional(
      Type.Object(
        {
          id: Type.Optional(describedAs(Ref, 'Stable device fingerprint or id from the channel; novelty rules watch for new devices.')),
          ip: Type.Optional(
            Type.Union([Type.String({ format: 'ipv4' }), Type.String({ format: 'ipv6' })], { description: 'Client IP address as seen by the channel.' }),
          ),
          userAgent: Type.Optional(Type.String({ maxLength: 512, description: 'Browser or app user agent.' })),
        },
        { additionalProperties: false, description: 'The device the payer used, for digital channels.' },
      ),
    ),
    geo: Type.Optional(
      Type.Object(
        {
          lat: Type.Number({ minimum: -90, maximum: 90, description: 'Latitude, decimal degrees (WGS 84).' }),
          lon: Type.Number({ minimum: -180, maximum: 180, description: 'Longitude, decimal degrees (WGS 84).' }),
        },
        { additionalProperties: false, description: 'Where the payment was initiated.' },
      ),
    ),
    purpose: Type.Optional(Type.String({ maxLength: 140, description: 'Free-text purpose or remittance information given by the payer (as ISO 20022 RmtInf/Ustrd).' })),
    reference: Type.Optional(Type.String({ maxLength: 140, description: 'The payer\'s reference for the payment (as ISO 20022 EndToEndId).' })),
  },
  { additionalProperties: false, $id: 'payment' },
);
export type PaymentEventWire = Static<typeof PaymentEventSchema>;
