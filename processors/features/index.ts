// The public face of the feature store: what the processors' runner and the scorers may use.
export {
  createFeatureStore,
  DEFAULT_HISTORY_TTL_SECONDS,
  DEFAULT_PROFILE_TTL_SECONDS,
  DEFAULT_STATE_TTL_SECONDS,
  FeatureStoreError,
  type FeatureResult,
  type FeatureStore,
  type FeatureStoreOptions,
} from './feature-store.js';
export { PAYMENT_FEATURES, type FeatureVector, type PaymentFeatureName } from './names.js';
export { SET_CAPS, SMALL_PAYMENT_CENTS, WINDOWS, type WindowName, type WindowSpec } from './window-layout.js';
export { MARKER_REPLY_BYTES } from './reply-layout.js';
