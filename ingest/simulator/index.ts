// The simulator's public face: a seeded synthetic bank that emits payment, customer and loan
// events with labelled fraud, AML and credit patterns, and a pacer that plays it in real time.
export { createSimulator, DEMO_OPENING_EVERY_MS, type Simulator, type SimulatorOptions, type SimulatorStats, type WorldSummary } from './simulator.js';
export { runSimulator, type RunOptions, type RunProgress } from './run.js';
export { PATTERN_NAMES, type PatternName } from './scenario.js';
export { CASH_THRESHOLD_USD_CENTS } from './amounts.js';
export { simulatorCustomers, worldSizeFor, MAX_CUSTOMERS, MIN_CUSTOMERS, PAYMENTS_PER_CUSTOMER_DAY } from './world-size.js';
