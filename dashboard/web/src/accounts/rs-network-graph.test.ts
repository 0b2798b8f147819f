// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import type { GraphNode } from './network-model.js';
import './rs-network-graph.js';

function node(id: string, x: number, y: number): GraphNode {
  return { id, label: `${id} name`, country: null, hop: id === 'root' ? 0 : 1, alerts: 0, more: false, x, y, fx: x, fy: y };
}

describe('network graph', () => {
  afterEach(() => {
    document.body.innerHTML = '';
  });

  it('network graph - labels point away from the centre, the root to the right', async () => {
    const graph = document.createElement('rs-network-graph');
    graph.rootId = 'root';
    // Pinned (fx/fy), so the simulation cannot move them before the assertions.
    graph.nodes = [node('root', -5, 0), node('west', -80, 10), node('east', 80, -10)];
    graph.edges = [];
    document.body.append(graph);
    await graph.updateComplete;
    const label = (id: string): SVGTextElement => graph.shadowRoot!.querySelector(`[data-node-id="${id}"] text:not(.plus)`)!;
    expect(label('west').getAttribute('text-anchor')).toBe('end');
    expect(Number(label('west').getAttribute('x'))).toBeLessThan(0);
    expect(label('east').getAttribute('text-anchor')).toBe('start');
    expect(Number(label('east').getAttribute('x'))).toBeGreaterThan(0);
    expect(label('root').getAttribute('text-anchor')).toBe('start');
    // The hit area covers the label on its side.
    const hit = graph.shadowRoot!.querySelector('[data-node-id="west"] rect.hit')!;
    expect(Number(hit.getAttribute('x'))).toBeLessThan(-50);
  });

  it('network graph - draws a label only where it covers none drawn before it: the root first, then by alerts', async () => {
    const graph = document.createElement('rs-network-graph');
    graph.rootId = 'root';
    const busy = { ...node('busy', 80, 0), alerts: 3 };
    // 'quiet' sits 4 px under 'busy' on the same side: their labels would overlap
    graph.nodes = [node('root', 0, 0), node('quiet', 80, 4), busy, node('far', 80, 60), node('west', -80, 4)];
    graph.edges = [];
    document.body.append(graph);
    await graph.updateComplete;
    const cls = (id: string): string => graph.shadowRoot!.querySelector(`[data-node-id="${id}"] text.label`)!.getAttribute('class')!;
    expect(cls('root')).toBe('label');
    expect(cls('busy')).toBe('label');
    expect(cls('quiet')).toBe('label crowded');
    // and its hidden label's place catches no clicks: the hit area is the circle alone
    expect(Number(graph.shadowRoot!.querySelector('[data-node-id="quiet"] rect.hit')!.getAttribute('width'))).toBe(14);
    expect(cls('far')).toBe('label');
    expect(cls('west')).toBe('label');
  });
  it('network graph - the list beside the graph says that its numbers are alert counts', async () => {
    const graph = document.createElement('rs-network-graph');
    graph.rootId = 'root';
    graph.nodes = [{ ...node('root', 0, 0), alerts: 14 }, node('shop', 80, 0)];
    graph.edges = [];
    document.body.append(graph);
    await graph.updateComplete;
    const list = graph.shadowRoot!.querySelector('[data-testid="network-node-list"]')!;
    // before: "root name 14" with nothing saying what 14 counts, on screen or to a screen reader
    expect(list.querySelector('li')!.textContent!.replace(/\s+/g, ' ').trim()).toBe('root name Alerts: 14');
    expect([...graph.shadowRoot!.querySelectorAll('.list-head span')].map((span) => span.textContent)).toEqual(['Accounts in the network', 'Alerts']);
  });
});
