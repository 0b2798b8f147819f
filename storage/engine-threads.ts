// Embedded chDB runs its query pipelines and merges on threads of its own inside our process. On a
// busy machine they compete with the decision path and the dashboard's sockets for the same cores;
// their work (storing rows, merging parts) can wait a little, so their threads get a lower CPU
// priority (a higher nice value). Linux only: elsewhere, or if /proc is not readable, nothing changes.
import { readdirSync, readFileSync } from 'node:fs';
import { setPriority } from 'node:os';
import { NODE_THREAD_NAME } from '../core/thread-cpu.js';

/** The nice value given to storage engine threads (0 is normal, 19 the lowest priority). */
export const ENGINE_THREAD_NICE = 10;


export type EngineThreadPriority = { stop(): void; readonly lowered: number };

/** Lowers the priority of the engine's threads now and, as it starts more, every intervalMs. */
export function lowerEngineThreadPriority(intervalMs = 2000): EngineThreadPriority {
  const done = new Set<number>();
  const tasks = '/proc/self/task';
  function sweep(): void {
    let ids: string[];
    try {
      ids = readdirSync(tasks);
    } catch {
      return;
    }
    for (const id of ids) {
      const tid = Number(id);
      if (done.has(tid)) continue;
      try {
        const name = readFileSync(`${tasks}/${id}/comm`, 'utf8').trim();
        if (name === NODE_THREAD_NAME || tid === process.pid) continue;
        setPriority(tid, ENGINE_THREAD_NICE);
        done.add(tid);
      } catch {
        // The thread ended meanwhile, or this is not Linux: nothing to do.
      }
    }
  }
  sweep();
  const timer = setInterval(sweep, intervalMs);
  timer.unref();
  return {
    stop: () => clearInterval(timer),
    get lowered() {
      return done.size;
    },
  };
}
