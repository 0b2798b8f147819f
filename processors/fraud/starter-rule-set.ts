// The starter fraud rule set shipped with the product (starter-rules.json), read from the source
// tree so that an operator can tune a copy without rebuilding; later a NATS KV bucket supplies it.
import { readFileSync } from 'node:fs';
import { sourcePath } from '../../core/paths.js';
import { compileRuleSetOrThrow, type CompiledRuleSet, type RuleSetOptions } from '../rules/index.js';

export const STARTER_FRAUD_RULES_PATH = sourcePath('processors', 'fraud', 'starter-rules.json');

let cached: CompiledRuleSet | undefined;

/** The starter rule file as parsed JSON (a fresh copy each call, so callers may edit it). */
export function readStarterFraudRules(): unknown {
  return JSON.parse(readFileSync(STARTER_FRAUD_RULES_PATH, 'utf8')) as unknown;
}

/** The starter rules compiled; with parameter overrides when given. Throws RuleSetError when invalid. */
export function starterFraudRuleSet(options?: RuleSetOptions): CompiledRuleSet {
  if (options !== undefined) return compileRuleSetOrThrow(readStarterFraudRules(), options);
  cached ??= compileRuleSetOrThrow(readStarterFraudRules());
  return cached;
}
