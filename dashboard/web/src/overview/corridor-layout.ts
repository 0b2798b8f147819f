// Lays out country corridors as a two-column flow chart (payer countries left, payee countries
// right, a band per corridor as thick as its payment count). Pure, so it is tested without a DOM.
import type { KpiTick } from '../../../server/protocol.js';

export type Corridor = KpiTick['corridors'][number];
export type FlowNode = { readonly country: string; readonly side: 'from' | 'to'; readonly y: number; readonly height: number; readonly count: number };
export type FlowBand = { readonly corridor: Corridor; readonly path: string; readonly width: number };
export type FlowLayout = { readonly nodes: readonly FlowNode[]; readonly bands: readonly FlowBand[] };

export type FlowFrame = { readonly height: number; readonly left: number; readonly right: number; readonly nodeWidth: number; readonly gap: number };

export function corridorLayout(corridors: readonly Corridor[], frame: FlowFrame, maxBands = 14): FlowLayout {
  const shown = [...corridors].filter((c) => c.count > 0).sort((a, b) => b.count - a.count).slice(0, maxBands);
  const total = shown.reduce((sum, c) => sum + c.count, 0);
  if (total === 0) return { nodes: [], bands: [] };
  const fromTotals = totals(shown, 'from');
  const toTotals = totals(shown, 'to');
  const most = Math.max(fromTotals.length, toTotals.length);
  const k = (frame.height - frame.gap * (most - 1)) / total;
  const fromNodes = stack(fromTotals, 'from', k, frame.gap);
  const toNodes = stack(toTotals, 'to', k, frame.gap);
  const fromAt = new Map(fromNodes.map((n) => [n.country, n]));
  const toAt = new Map(toNodes.map((n) => [n.country, n]));
  // Bands leave a source in the order of their targets (and arrive in the order of their sources),
  // so they do not cross inside a node.
  const fromOffset = new Map<string, number>();
  const toOffset = new Map<string, number>();
  const bySource = [...shown].sort((a, b) => toAt.get(a.to)!.y - toAt.get(b.to)!.y);
  const sourceTop = new Map<Corridor, number>();
  for (const c of bySource) {
    const used = fromOffset.get(c.from) ?? 0;
    sourceTop.set(c, fromAt.get(c.from)!.y + used);
    fromOffset.set(c.from, used + c.count * k);
  }
  const byTarget = [...shown].sort((a, b) => fromAt.get(a.from)!.y - fromAt.get(b.from)!.y);
  const bands: FlowBand[] = [];
  const x0 = frame.left + frame.nodeWidth;
  const x1 = frame.right - frame.nodeWidth;
  const xm = (x0 + x1) / 2;
  for (const c of byTarget) {
    const used = toOffset.get(c.to) ?? 0;
    const ty = toAt.get(c.to)!.y + used;
    toOffset.set(c.to, used + c.count * k);
    const sy = sourceTop.get(c)!;
    const w = c.count * k;
    const path = `M${x0},${sy}C${xm},${sy} ${xm},${ty} ${x1},${ty}L${x1},${ty + w}C${xm},${ty + w} ${xm},${sy + w} ${x0},${sy + w}Z`;
    bands.push({ corridor: c, path, width: w });
  }
  return { nodes: [...fromNodes, ...toNodes], bands };
}

function totals(corridors: readonly Corridor[], side: 'from' | 'to'): Array<[string, number]> {
  const sums = new Map<string, number>();
  for (const c of corridors) sums.set(c[side], (sums.get(c[side]) ?? 0) + c.count);
  return [...sums.entries()].sort((a, b) => b[1] - a[1]);
}

function stack(entries: ReadonlyArray<[string, number]>, side: 'from' | 'to', k: number, gap: number): FlowNode[] {
  let y = 0;
  return entries.map(([country, count]) => {
    const node = { country, side, y, height: count * k, count };
    y += count * k + gap;
    return node;
  });
}

/**
 * Label positions for one column of nodes: each label as near its node's centre as it can be,
 * at least minGap from its neighbours, inside [top, bottom] when they fit. Thin nodes stack tight
 * at the bottom of the chart, and their labels overlapped there. Centres in node order (top down).
 */
export function spreadLabels(centres: readonly number[], minGap: number, top: number, bottom: number): number[] {
  const ys = [...centres];
  // down: each label at least minGap below the one above
  for (let i = 0; i < ys.length; i++) ys[i] = Math.max(ys[i]!, i === 0 ? top : ys[i - 1]! + minGap);
  // up: back inside the bottom, keeping the gaps, but never above the top
  for (let i = ys.length - 1; i >= 0; i--) {
    const limit = i === ys.length - 1 ? bottom : ys[i + 1]! - minGap;
    ys[i] = Math.max(top, Math.min(ys[i]!, limit));
  }
  return ys;
}
