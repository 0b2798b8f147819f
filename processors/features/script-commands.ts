// Registers the feature scripts on an ioredis connection (defineCommand: EVALSHA, with EVAL
// once per connection) under names derived from their text, so that stores with different TTLs
// on one connection never replace each other's scripts.
import { createHash } from 'node:crypto';
import type { ChainableCommander, Redis } from 'ioredis';
import { featureScripts, type ScriptTtls } from './scripts.js';

type ScriptCall = (...args: Array<string | number>) => ChainableCommander;
/** A pipeline seen as a table of commands, so that the scripts can be called by their names. */
export type ScriptPipeline = ChainableCommander & Readonly<Record<string, ScriptCall | undefined>>;

/** The pipeline method names of the scripts. */
export type ScriptCommands = {
  /** Money out; the Buffer variant (ioredis defines one for every script): it replies bytes. */
  readonly out: string;
  /** Money in; the Buffer variant. */
  readonly in: string;
  readonly customer: string;
};

function nameOf(kind: string, lua: string): string {
  return `rsFeatures${kind}_${createHash('sha1').update(lua).digest('hex').slice(0, 12)}`;
}

export function defineFeatureScripts(redis: Redis, ttl: ScriptTtls): ScriptCommands {
  const scripts = featureScripts(ttl);
  const out = nameOf('Out', scripts.out);
  const inn = nameOf('In', scripts.in);
  const customer = nameOf('Customer', scripts.customer);
  redis.defineCommand(out, { numberOfKeys: 4, lua: scripts.out });
  redis.defineCommand(inn, { numberOfKeys: 3, lua: scripts.in });
  redis.defineCommand(customer, { numberOfKeys: 1, lua: scripts.customer });
  return { out: `${out}Buffer`, in: `${inn}Buffer`, customer };
}
