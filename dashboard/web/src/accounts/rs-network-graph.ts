// The counterparty network as an interactive force graph (d3-force): drag nodes, zoom and pan,
// select a node marked "+" to expand it. Nodes are coloured by their alert count. A list of the
// same nodes sits beside it for keyboard and screen-reader use.
import { LitElement, css, html, svg, nothing } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { drag } from 'd3-drag';
import { forceCenter, forceCollide, forceLink, forceManyBody, forceSimulation, type Simulation } from 'd3-force';
import { scaleLinear, scaleSqrt, type ScaleLinear } from 'd3-scale';
import { select } from 'd3-selection';
import { zoom, zoomIdentity, type ZoomBehavior, type ZoomTransform } from 'd3-zoom';
import { accountHref } from '../app/routes.js';
import { formatInteger, formatMoneyCompact } from '../i18n/format.js';
import { LocaleController } from '../i18n/locale.js';
import { msg } from '../i18n/messages.js';
import { PALETTE, sharedStyles } from '../theme/theme.js';
import { clearLabels, rootLabelLeft, type GraphEdge, type GraphNode } from './network-model.js';

const W = 720;
const H = 440;

/**
 * Force-directed network.
 * @fires rs-expand - detail: { id }, when a node with more counterparties is activated.
 */
@customElement('rs-network-graph')
export class RsNetworkGraph extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: grid;
        grid-template-columns: minmax(0, 3fr) minmax(200px, 1fr);
        gap: 12px;
      }
      @media (max-width: 900px) {
        :host {
          grid-template-columns: minmax(0, 1fr);
        }
      }
      svg {
        width: 100%;
        height: auto;
        display: block;
        background: #0d1420;
        border-radius: 6px;
        cursor: grab;
        touch-action: none;
      }
      .edge {
        stroke: #4a5a78;
        stroke-opacity: 0.8;
      }
      .node circle {
        stroke: #0b0f17;
        stroke-width: 1.5;
      }
      .node.root circle {
        stroke: var(--rs-text);
        stroke-width: 2.5;
      }
      .node:focus-visible circle,
      .node.selected circle {
        stroke: var(--rs-focus);
        stroke-width: 3;
      }
      .node:focus {
        outline: none;
      }
      .node {
        cursor: pointer;
      }
      /* The whole node with its label is one target, for pointers and for test clicks. */
      .node .hit {
        fill: transparent;
      }
      .node text {
        fill: var(--rs-text);
        font-size: 10px;
        pointer-events: none;
      }
      /* A label that would cover another shows only for the node under the pointer or in focus. */
      .node text.crowded {
        opacity: 0;
      }
      .node:hover text.crowded,
      .node:focus-visible text.crowded,
      .node.selected text.crowded {
        opacity: 1;
      }
      .node .plus {
        fill: #08111f;
        font-weight: 700;
        font-size: 12px;
      }
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
        max-height: 440px;
        overflow: auto;
        font-size: 0.85rem;
      }
      li {
        display: flex;
        gap: 6px;
        align-items: center;
        padding: 3px 0;
        border-bottom: 1px solid var(--rs-border);
      }
      li .swatch {
        width: 10px;
        height: 10px;
        border-radius: 50%;
        flex: none;
      }
      li a {
        flex: 1;
        /* a long name is cut with an ellipsis rather than widening the list (and the page) */
        min-width: 0;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      li button {
        padding: 1px 6px;
        font-size: 0.78rem;
      }
      /* names the list's number column: a bare count beside each name read as nothing in particular */
      .list-head {
        display: flex;
        justify-content: space-between;
        margin: 0 0 2px;
        font-size: 0.75rem;
        color: var(--rs-text-dim);
      }
    `,
  ];

  @property({ attribute: false }) nodes: readonly GraphNode[] = [];
  @property({ attribute: false }) edges: readonly GraphEdge[] = [];
  @property() rootId = '';

  @state() private _transform: ZoomTransform = zoomIdentity.translate(W / 2, H / 2);
  @state() private _selected: string | null = null;
  @query('svg') private _svg!: SVGSVGElement | null;

  private readonly _locale = new LocaleController(this);
  private _simulation: Simulation<GraphNode, GraphEdge> | null = null;
  private _colour: ScaleLinear<string, string> = alertColour();
  private _radius = scaleSqrt().domain([0, 20]).range([7, 16]).clamp(true);
  private _zoom: ZoomBehavior<SVGSVGElement, unknown> | null = null;
  private _nodesChanged = false;

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this._simulation?.stop();
    this._simulation = null;
  }

  override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (!changed.has('nodes') && !changed.has('edges')) return;
    this._nodesChanged = true;
    const nodes = this.nodes as GraphNode[];
    const edges = this.edges as GraphEdge[];
    if (this._simulation === null) {
      this._simulation = forceSimulation<GraphNode, GraphEdge>(nodes)
        .force('link', forceLink<GraphNode, GraphEdge>(edges).id((d) => d.id).distance(70))
        .force('charge', forceManyBody<GraphNode>().strength(-220))
        .force('center', forceCenter(0, 0))
        .force('collide', forceCollide<GraphNode>((d) => this._radius(d.alerts) + 4))
        .on('tick', () => this.requestUpdate());
    } else {
      this._simulation.nodes(nodes);
      this._simulation.force<ReturnType<typeof forceLink<GraphNode, GraphEdge>>>('link')?.links(edges);
      this._simulation.alpha(0.7).restart();
    }
  }

  override firstUpdated(): void {
    if (this._svg === null) return;
    this._zoom = zoom<SVGSVGElement, unknown>()
      .scaleExtent([0.2, 5])
      .filter((event: Event) => !(event.target instanceof Element && event.target.closest('.node') !== null) || event.type === 'wheel')
      .on('zoom', (event: { transform: ZoomTransform }) => {
        this._transform = event.transform;
      });
    select(this._svg).call(this._zoom).call(this._zoom.transform, this._transform);
  }

  override updated(): void {
    if (!this._nodesChanged || this._svg === null) return;
    this._nodesChanged = false;
    // Node elements are created by the template; (re)attach dragging to the current ones.
    const dragging = drag<SVGGElement, unknown, GraphNode | undefined>()
      .subject((event: { sourceEvent: Event }) => this._nodeOf(event.sourceEvent.target))
      .on('start', (event: { active: number; subject: GraphNode | undefined }) => {
        if (event.subject === undefined) return;
        if (event.active === 0) this._simulation?.alphaTarget(0.3).restart();
        event.subject.fx = event.subject.x ?? 0;
        event.subject.fy = event.subject.y ?? 0;
      })
      .on('drag', (event: { x: number; y: number; subject: GraphNode | undefined }) => {
        if (event.subject === undefined) return;
        event.subject.fx = event.x;
        event.subject.fy = event.y;
      })
      .on('end', (event: { active: number; subject: GraphNode | undefined }) => {
        if (event.subject === undefined) return;
        if (event.active === 0) this._simulation?.alphaTarget(0);
        event.subject.fx = null;
        event.subject.fy = null;
      });
    select(this._svg).selectAll<SVGGElement, unknown>('g.node').call(dragging);
  }

  override render() {
    const t = this._transform;
    return html`
      <svg
        data-testid="network-graph"
        viewBox="0 0 ${W} ${H}"
        role="group"
        aria-label=${msg('account.networkChart', { id: this.rootId, nodes: formatInteger(this.nodes.length), edges: formatInteger(this.edges.length) })}
      >
        <g transform="translate(${t.x},${t.y}) scale(${t.k})">
          ${this.edges.map((edge) => {
            const s = edge.source as GraphNode;
            const d = edge.target as GraphNode;
            return svg`<line class="edge" x1=${s.x ?? 0} y1=${s.y ?? 0} x2=${d.x ?? 0} y2=${d.y ?? 0} stroke-width=${Math.min(6, 1 + Math.log2(1 + edge.count))}>
              <title>${edge.from} → ${edge.to}: ${formatInteger(edge.count)}, ${formatMoneyCompact(edge.amountUsd, 'USD')}</title></line>`;
          })}
          ${(() => {
            const clear = this._clearLabels();
            return this.nodes.map((node) => this._renderNode(node, clear.has(node.id)));
          })()}
        </g>
      </svg>
      <section aria-label=${msg('account.networkNodes')}>
        <p class="list-head" aria-hidden="true"><span>${msg('account.networkNodes')}</span><span>${msg('account.alerts')}</span></p>
        <ul data-testid="network-node-list">
          ${[...this.nodes]
            .sort((a, b) => a.hop - b.hop || b.alerts - a.alerts)
            .map(
              (node) => html`<li>
                <span class="swatch" style="background:${this._colour(node.alerts)}" aria-hidden="true"></span>
                <a href=${accountHref(node.id)} title=${node.label === node.id ? node.id : `${node.label} (${node.id})`}>${node.label}</a>
                <span class="dim" data-testid="network-node-alerts" title=${msg('account.alerts')}><span class="visually-hidden">${msg('account.alerts')}: </span>${formatInteger(node.alerts)}</span>
                ${node.more ? html`<button @click=${() => this._expand(node)} aria-label="${msg('account.expand')} ${node.label}">+</button>` : nothing}
              </li>`,
            )}
        </ul>
      </section>
    `;
  }

  /** Labels drawn in full: the root's first, then by alerts, hop and order, none over another. */
  private _clearLabels(): Set<string> {
    const order = [...this.nodes].sort(
      (a, b) => Number(b.id === this.rootId) - Number(a.id === this.rootId) || b.alerts - a.alerts || a.hop - b.hop,
    );
    return clearLabels(order.map((node) => ({ id: node.id, x: node.x ?? 0, y: node.y ?? 0, r: this._radius(node.alerts), width: labelWidthOf(node), left: this._labelsLeft(node) })));
  }

  /** Labels point away from the centre (the graph is centred on 0,0): nodes left of it label to the
   * left, so that two neighbours' labels and the spokes into the root do not run together. The
   * root's label takes the side where it covers fewer circles. */
  private _labelsLeft(node: GraphNode): boolean {
    if (node.id !== this.rootId) return (node.x ?? 0) < 0;
    const others = this.nodes.filter((n) => n.id !== node.id).map((n) => ({ x: n.x ?? 0, y: n.y ?? 0, r: this._radius(n.alerts) }));
    return rootLabelLeft({ id: node.id, x: node.x ?? 0, y: node.y ?? 0, r: this._radius(node.alerts), width: labelWidthOf(node), left: false }, others);
  }

  private _renderNode(node: GraphNode, labelClear: boolean) {
    const r = this._radius(node.alerts);
    const left = this._labelsLeft(node);
    // A hidden label's place is not this node's to catch clicks in: it may be another's label.
    const labelWidth = labelWidthOf(node);
    const classes = `node${node.id === this.rootId ? ' root' : ''}${node.id === this._selected ? ' selected' : ''}`;
    return svg`<g class=${classes} data-testid="graph-node" data-node-id=${node.id} data-more=${node.more ? 'true' : 'false'}
        transform="translate(${node.x ?? 0},${node.y ?? 0})" tabindex="0" role="button"
        aria-label=${msg('account.nodeLabel', { label: node.label, hop: formatInteger(node.hop), alerts: formatInteger(node.alerts) })}
        @click=${() => this._activate(node)} @keydown=${(event: KeyboardEvent) => this._onNodeKey(event, node)}>
      <rect class="hit" x=${left && labelClear ? -r - labelWidth : -r} y=${-r} width=${2 * r + (labelClear ? labelWidth : 0)} height=${2 * r}></rect>
      <circle r=${r} fill=${this._colour(node.alerts)}></circle>
      ${node.more ? svg`<text class="plus" text-anchor="middle" dy="0.35em">+</text>` : nothing}
      <text class=${labelClear ? 'label' : 'label crowded'} x=${left ? -r - 3 : r + 3} text-anchor=${left ? 'end' : 'start'} dy="0.35em">${node.label}</text>
    </g>`;
  }

  private _nodeOf(target: EventTarget | null): GraphNode | undefined {
    const element = target instanceof Element ? target.closest<SVGGElement>('g.node') : null;
    const id = element?.dataset['nodeId'];
    return id === undefined ? undefined : this.nodes.find((node) => node.id === id);
  }

  private _activate(node: GraphNode): void {
    this._selected = node.id;
    if (node.more) this._expand(node);
  }

  private _onNodeKey(event: KeyboardEvent, node: GraphNode): void {
    if (event.key !== 'Enter' && event.key !== ' ') return;
    event.preventDefault();
    this._activate(node);
  }

  private _expand(node: GraphNode): void {
    this.dispatchEvent(new CustomEvent<{ id: string }>('rs-expand', { detail: { id: node.id }, bubbles: true, composed: true }));
  }
}

/** A label's width, estimated from its length (6 px a character, plus a margin). */
function labelWidthOf(node: GraphNode): number {
  return 6 + node.label.length * 6;
}

/** No alerts: slate; then yellow, orange, pink as alerts grow (distinct in lightness, colour-blind safe). */
function alertColour(): ScaleLinear<string, string> {
  return scaleLinear<string>().domain([0, 1, 5, 20]).range(['#6b7a96', PALETTE.medium, PALETTE.high, PALETTE.critical]).clamp(true);
}

declare global {
  interface HTMLElementTagNameMap {
    'rs-network-graph': RsNetworkGraph;
  }
}
