// What is due when: a binary min-heap of scheduled events ordered by time, then by scheduling
// order, so that equal times come out in a reproducible order.
import type { Labels, WireEvent } from '../../core/contracts/index.js';
import type { ScenarioStep } from './scenario.js';

export type AgendaItem = {
  readonly at: number;
  readonly seq: number;
  readonly event: WireEvent;
  readonly labels: Labels;
  /** The rest of the scenario; pulled one step at a time so long lives (loans) stay cheap. */
  readonly rest: Iterator<ScenarioStep> | undefined;
  /** ScenarioStep.withoutBalance. */
  readonly withoutBalance?: boolean;
};

export class Agenda {
  private readonly _heap: AgendaItem[] = [];

  get size(): number {
    return this._heap.length;
  }

  /** The time of the earliest item, or Infinity. */
  peekAt(): number {
    return this._heap[0]?.at ?? Number.POSITIVE_INFINITY;
  }

  push(item: AgendaItem): void {
    const heap = this._heap;
    heap.push(item);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(item, heap[parent] as AgendaItem)) break;
      heap[i] = heap[parent] as AgendaItem;
      i = parent;
    }
    heap[i] = item;
  }

  pop(): AgendaItem | undefined {
    const heap = this._heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top;
    let i = 0;
    const n = heap.length;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && before(heap[right] as AgendaItem, heap[left] as AgendaItem) ? right : left;
      if (!before(heap[child] as AgendaItem, last)) break;
      heap[i] = heap[child] as AgendaItem;
      i = child;
    }
    heap[i] = last;
    return top;
  }
}

function before(a: AgendaItem, b: AgendaItem): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}
