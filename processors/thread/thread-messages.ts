// What the main thread and the processors thread say to each other.
import type { Config, MetricsSnapshot } from '../../core/index.js';
import type { ProcessorStatus } from '../runner.js';

export type ThreadInit = {
  readonly config: Config;
  readonly procId: string;
  /** Where the thread writes its OS thread id, for the process's CPU by thread (core/thread-cpu.ts). */
  readonly tidCell?: Int32Array;
};

export type ThreadRequest = { readonly type: 'drain' };

export type ThreadReport =
  | { readonly type: 'started' }
  | { readonly type: 'metrics'; readonly snapshot: MetricsSnapshot; readonly status: ProcessorStatus }
  | { readonly type: 'drained' }
  /** `name`: the error's class name, so that the host can raise the same kind (a missing service is not a crash). */
  | { readonly type: 'failed'; readonly message: string; readonly name?: string };
