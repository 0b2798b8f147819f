// The counterparty network as the account page grows it hop by hop: each expansion's answer is
// merged in by node and edge id, so a node reached twice is one node, and new nodes start next to
// the node they were expanded from.
import type { SimulationLinkDatum, SimulationNodeDatum } from 'd3-force';
import type { NetworkAnswer } from '../../../server/protocol.js';

type WireNode = NetworkAnswer['nodes'][number];
type WireEdge = NetworkAnswer['edges'][number];

export type GraphNode = SimulationNodeDatum & {
  readonly id: string;
  label: string;
  country: string | null;
  /** Hops from the page's account (the smallest seen over all expansions). */
  hop: number;
  alerts: number;
  /** Has counterparties not loaded yet. */
  more: boolean;
};

export type GraphEdge = SimulationLinkDatum<GraphNode> & {
  readonly id: string;
  readonly from: string;
  readonly to: string;
  count: number;
  amountUsd: string;
  lastTs: number;
};

export class NetworkModel {
  readonly rootId: string;
  private readonly _nodes = new Map<string, GraphNode>();
  private readonly _edges = new Map<string, GraphEdge>();
  private readonly _expanded = new Set<string>();
  /** New arrays after each merge, for renderers that compare by identity. */
  nodes: readonly GraphNode[] = [];
  edges: readonly GraphEdge[] = [];

  constructor(rootId: string) {
    this.rootId = rootId;
  }

  node(id: string): GraphNode | undefined {
    return this._nodes.get(id);
  }

  isExpanded(id: string): boolean {
    return this._expanded.has(id);
  }

  /** Merges an answer fetched for `answer.root`; returns the ids of nodes that were new. */
  merge(answer: NetworkAnswer): string[] {
    const anchor = this._nodes.get(answer.root);
    const baseHop = anchor?.hop ?? 0;
    this._expanded.add(answer.root);
    const added: string[] = [];
    for (const wire of answer.nodes) {
      const existing = this._nodes.get(wire.id);
      if (existing === undefined) {
        this._nodes.set(wire.id, this._newNode(wire, baseHop, anchor));
        added.push(wire.id);
        continue;
      }
      existing.label = wire.label;
      existing.country = wire.country ?? existing.country;
      existing.alerts = Math.max(existing.alerts, wire.alerts);
      existing.hop = Math.min(existing.hop, baseHop + wire.hop);
      // Once expanded, a node has shown its counterparties, whatever a later answer says.
      existing.more = this._expanded.has(wire.id) ? false : existing.more && wire.more;
    }
    const root = this._nodes.get(answer.root);
    if (root !== undefined) root.more = false;
    for (const wire of answer.edges) this._mergeEdge(wire);
    this.nodes = [...this._nodes.values()];
    this.edges = [...this._edges.values()];
    return added;
  }

  private _newNode(wire: WireNode, baseHop: number, anchor: GraphNode | undefined): GraphNode {
    const node: GraphNode = {
      id: wire.id,
      label: wire.label,
      country: wire.country,
      hop: baseHop + wire.hop,
      alerts: wire.alerts,
      more: wire.more && !this._expanded.has(wire.id),
    };
    if (anchor?.x !== undefined && anchor.y !== undefined) {
      // Start beside the node that was expanded, so the graph grows from there instead of jumping.
      const angle = (this._nodes.size * 2.399963) % (2 * Math.PI);
      node.x = anchor.x + 30 * Math.cos(angle);
      node.y = anchor.y + 30 * Math.sin(angle);
    }
    return node;
  }

  private _mergeEdge(wire: WireEdge): void {
    if (!this._nodes.has(wire.from) || !this._nodes.has(wire.to)) return;
    const id = `${wire.from}\u2192${wire.to}`;
    const existing = this._edges.get(id);
    if (existing !== undefined) {
      if (wire.lastTs >= existing.lastTs) {
        existing.count = wire.count;
        existing.amountUsd = wire.amountUsd;
        existing.lastTs = wire.lastTs;
      }
      return;
    }
    this._edges.set(id, { id, from: wire.from, to: wire.to, source: wire.from, target: wire.to, count: wire.count, amountUsd: wire.amountUsd, lastTs: wire.lastTs });
  }
}

/** Where a node's label would be drawn: beside its circle, to the left or the right. */
export type LabelPlacement = {
  readonly id: string;
  readonly x: number;
  readonly y: number;
  /** The circle's radius. */
  readonly r: number;
  /** The label's width (estimated from its length). */
  readonly width: number;
  readonly left: boolean;
};

/** How tall a label line is, and the gap between a circle and its label. */
const LABEL_HEIGHT = 12;
const LABEL_GAP = 3;

/**
 * The labels that can be drawn without overlapping one drawn before them, taken in the order given
 * (most important first: the page's account, then by alerts). A crowded ring of counterparties
 * otherwise draws its names on top of one another; the hidden ones show on hover and focus, and
 * every node is in the list beside the graph.
 */
export function clearLabels(placements: readonly LabelPlacement[]): Set<string> {
  // Other nodes' circles count as taken too: a label drawn over a circle hides the node.
  const circles = placements.map((p) => ({ id: p.id, x0: p.x - p.r, x1: p.x + p.r, y0: p.y - p.r, y1: p.y + p.r }));
  const drawn: Box[] = [];
  const clear = new Set<string>();
  for (const p of placements) {
    const box = labelBox(p, p.left);
    if (drawn.some((d) => overlaps(box, d)) || circles.some((c) => c.id !== p.id && overlaps(box, c))) continue;
    drawn.push(box);
    clear.add(p.id);
  }
  return clear;
}

type Box = { readonly x0: number; readonly x1: number; readonly y0: number; readonly y1: number };

function labelBox(p: LabelPlacement, left: boolean): Box {
  const x0 = left ? p.x - p.r - LABEL_GAP - p.width : p.x + p.r + LABEL_GAP;
  return { x0, x1: x0 + p.width, y0: p.y - LABEL_HEIGHT / 2, y1: p.y + LABEL_HEIGHT / 2 };
}

function overlaps(a: Box, b: Box): boolean {
  return a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;
}

/**
 * Which side the page's account's label goes: the right, unless it would cover more of the other
 * nodes' circles there than on the left (its label is always drawn, so it picks its side).
 */
export function rootLabelLeft(root: LabelPlacement, others: ReadonlyArray<Pick<LabelPlacement, 'x' | 'y' | 'r'>>): boolean {
  const covered = (left: boolean): number => {
    const box = labelBox(root, left);
    return others.filter((o) => overlaps(box, { x0: o.x - o.r, x1: o.x + o.r, y0: o.y - o.r, y1: o.y + o.r })).length;
  };
  return covered(true) < covered(false);
}
