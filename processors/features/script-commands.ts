// Registers the feature batch script (and the rarely used marker release) on an ioredis
// connection (defineCommand: EVALSHA, with EVAL once per connection) under names derived from
// their text, so that stores with different TTLs on one connection never replace each other's
// scripts.
import { createHash } from 'node:crypto';
import type { ChainableCommander, Redis } from 'ioredis';
import { featureBatchScript, RELEASE_MARKERS_LUA, type ScriptTtls } from './scripts.js';

type ScriptCall = (...args: Array<string | number | readonly (string | Buffer)[]>) => ChainableCommander;
/** A pipeline seen as a table of commands, so that the scripts can be called by their names. */
export type ScriptPipeline = ChainableCommander & Readonly<Record<string, ScriptCall | undefined>>;

/** The pipeline method name of the batch script (its Buffer variant: the replies are bytes). */
export type ScriptCommands = {
  /** Called as (numkeys, keys[], args[]); ioredis flattens the arrays. */
  readonly batch: string;
  /** Releases markers (RELEASE_MARKERS_LUA), called as (numkeys, keys[], sizes[]). */
  readonly release: string;
};

function nameOf(kind: string, lua: string): string {
  return `rsFeatures${kind}_${createHash('sha1').update(lua).digest('hex').slice(0, 12)}`;
}

export function defineFeatureScripts(redis: Redis, ttl: ScriptTtls): ScriptCommands {
  const lua = featureBatchScript(ttl);
  const batch = nameOf('Batch', lua);
  redis.defineCommand(batch, { lua });
  const release = nameOf('Release', RELEASE_MARKERS_LUA);
  redis.defineCommand(release, { lua: RELEASE_MARKERS_LUA });
  return { batch: `${batch}Buffer`, release };
}
