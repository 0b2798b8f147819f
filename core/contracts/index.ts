// The event contracts: one JSON schema per kind (the source of both the validators and the
// TypeScript types), and validation from wire JSON into the shapes the code works with.
export * from './common.js';
export * from './customer.js';
export * from './decision.js';
export * from './kinds.js';
export * from './loan.js';
export * from './payment.js';
export { eventTime, validateEvent, type FieldError, type ValidatedEvent, type ValidationResult } from './validate.js';
export { duplicateKeyErrors } from './duplicate-keys.js';
export { jsonTextErrors, jsonTextErrorsByItem } from './json-text.js';
export * from './telemetry.js';
