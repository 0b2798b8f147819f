// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import type { NetworkAnswer } from '../../../server/protocol.js';
import { FakeApi, settle } from '../test-support/fakes.js';
import { NetworkModel, clearLabels, rootLabelLeft } from './network-model.js';
import './rs-account-page.js';
import './rs-network-graph.js';

type WireNode = NetworkAnswer['nodes'][number];
const node = (id: string, hop: number, more: boolean, alerts = 0): WireNode => ({ id, label: `name of ${id}`, country: 'GB', hop, alerts, more });
const edge = (from: string, to: string, count = 1, lastTs = 1) => ({ from, to, count, amountUsd: '10.00', lastTs });

const first: NetworkAnswer = {
  root: 'A',
  nodes: [node('A', 0, false, 2), node('B', 1, true), node('C', 1, true, 5)],
  edges: [edge('A', 'B'), edge('C', 'A')],
};
/** Expanding B: A and C come back (A via B, C also linked to B), D is new. */
const fromB: NetworkAnswer = {
  root: 'B',
  nodes: [node('B', 0, true), node('A', 1, true, 3), node('C', 1, true, 5), node('D', 1, true)],
  edges: [edge('A', 'B', 4, 9), edge('B', 'C'), edge('B', 'D'), edge('B', 'Z')],
};

describe('network graph', () => {
  afterEach(() => {
    document.body.innerHTML = '';
  });

  it('network graph - merges an expansion without duplicate nodes or edges', () => {
    const model = new NetworkModel('A');
    expect(model.merge(first)).toEqual(['A', 'B', 'C']);
    expect(model.merge(fromB)).toEqual(['D']);
    expect(model.nodes.map((n) => n.id).sort()).toEqual(['A', 'B', 'C', 'D']);
    expect(model.edges.map((e) => e.id).sort()).toEqual(['A→B', 'B→C', 'B→D', 'C→A']);
    // The edge seen again takes the newer figures; the edge to an unknown node is left out.
    expect(model.edges.find((e) => e.id === 'A→B')!.count).toBe(4);
    // Hops stay relative to the page's account; expanded nodes show no "+"; alerts keep the highest.
    expect(model.node('D')!.hop).toBe(2);
    expect(model.node('A')!.hop).toBe(0);
    expect(model.node('B')!.more).toBe(false);
    expect(model.node('A')!.more).toBe(false);
    expect(model.node('C')!.more).toBe(true);
    expect(model.node('A')!.alerts).toBe(3);
    // Merging the same answer again changes nothing.
    expect(model.merge(fromB)).toEqual([]);
    expect(model.nodes).toHaveLength(4);
  });

  it('network graph - the account page expands a node with more counterparties and draws each node once', async () => {
    const api = new FakeApi()
      .on('GET', '/api/accounts/A', () => ({
        accountId: 'A',
        customer: null,
        totals: { events: 0, firstSeen: null, lastSeen: null, inUsd: '0', outUsd: '0', alerts: 0, blocked: 0 },
        timeline: [],
        nextBefore: null,
      }))
      .on('GET', '/api/accounts/A/network', () => first)
      .on('GET', '/api/accounts/B/network', () => fromB);
    const page = document.createElement('rs-account-page');
    page.api = api;
    page.accountId = 'A';
    document.body.append(page);
    await settle(page, 5);
    const graph = page.shadowRoot!.querySelector('rs-network-graph')!;
    await settle(graph);
    const nodes = () => [...graph.shadowRoot!.querySelectorAll<SVGGElement>('[data-testid="graph-node"]')].map((n) => n.dataset['nodeId']);
    expect(graph.shadowRoot!.querySelector('[data-testid="network-graph"]')).not.toBeNull();
    expect(nodes().sort()).toEqual(['A', 'B', 'C']);

    const b = graph.shadowRoot!.querySelector<SVGGElement>('[data-node-id="B"]')!;
    b.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    await settle(page, 5);
    await settle(graph);
    expect(api.calls.filter((c) => c.path.endsWith('/network')).map((c) => [c.path, c.query])).toEqual([
      ['/api/accounts/A/network', { hops: 1 }],
      ['/api/accounts/B/network', { hops: 1 }],
    ]);
    expect(nodes().sort()).toEqual(['A', 'B', 'C', 'D']);
    expect(graph.shadowRoot!.querySelector('[data-node-id="B"]')!.getAttribute('data-more')).toBe('false');
    // The keyboard alternative lists every node once too.
    expect(graph.shadowRoot!.querySelectorAll('[data-testid="network-node-list"] li')).toHaveLength(4);
  });
});

describe('network labels', () => {
  const at = (id: string, x: number, y: number, left = false) => ({ id, x, y, r: 7, width: 60, left });

  it('keeps labels that do not touch, drops one that covers a label taken before it', () => {
    // c's label runs into a's (their circles stay clear of both); d's goes the other way
    const clear = clearLabels([at('a', 0, 0), at('b', 0, 30), at('c', -3, 6), at('d', 0, 6, true)]);
    expect([...clear].sort()).toEqual(['a', 'b', 'd']);
  });

  it('the first label is always drawn', () => {
    expect(clearLabels([at('root', 0, 0), at('same', 0, 0)])).toEqual(new Set(['root']));
  });

  it('a label that would cover another node is not drawn', () => {
    // b's label runs right over c's circle at (40, 0); c's own goes on to the right
    expect([...clearLabels([at('a', 0, 40), at('b', 0, 0), at('c', 40, 0)])].sort()).toEqual(['a', 'c']);
  });

  it("the root's label takes the side where it covers fewer circles", () => {
    const root = at('root', 0, 0);
    expect(rootLabelLeft(root, [{ x: 40, y: 0, r: 7 }])).toBe(true);
    expect(rootLabelLeft(root, [{ x: -40, y: 0, r: 7 }])).toBe(false);
    expect(rootLabelLeft(root, [])).toBe(false);
  });
});
