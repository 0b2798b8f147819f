// The public face of processors/: the runner and the scoring interfaces.
export { createProcessor, processorsProblem, publishDeadLetter, type Processor, type ProcessorStatus, type ProcessorOptions, type FeatureSource, type DecideFn, type DecisionCore } from './runner.js';
export type { Scorer, ScorerOutcome, ScoringInput, ScoringEvent, CustomerProfile, AlertDraft } from './scoring.js';
export { UNKNOWN_CUSTOMER } from './scoring.js';
export { PAYMENT_FEATURES, type FeatureVector, type PaymentFeatureName } from './features/names.js';
export { MARKER_REPLY_BYTES } from './features/index.js';
export { KpiAccumulator } from './telemetry/kpi-accumulator.js';
export { startKpiPublisher, type KpiPublisher } from './telemetry/kpi-publisher.js';
export { createProductProcessor, type ProcessorDeps } from './compose.js';
export { startProcessorThread, type ProcessorThread } from './thread/processor-thread-host.js';
