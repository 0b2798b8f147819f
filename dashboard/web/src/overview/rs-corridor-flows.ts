// Money flows between countries: a two-column flow chart of the largest corridors, bands coloured by
// their alert share, with the ranked list beside it as the text alternative.
import { LitElement, css, html, svg } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { scaleLinear, type ScaleLinear } from 'd3-scale';
import { formatInteger, formatMoneyCompact } from '../i18n/format.js';
import { LocaleController } from '../i18n/locale.js';
import { msg } from '../i18n/messages.js';
import { PALETTE, sharedStyles } from '../theme/theme.js';
import { corridorLayout, spreadLabels, type Corridor, type FlowLayout } from './corridor-layout.js';

const W = 640;
const H = 260;
const FRAME = { height: H - 8, left: 44, right: W - 44, nodeWidth: 10, gap: 6 } as const;
/** Country labels are 12 px high: this far apart they do not touch. */
const LABEL_GAP = 12;

/** Corridor flow chart; `corridors` as in KpiTick (largest first). */
@customElement('rs-corridor-flows')
export class RsCorridorFlows extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: grid;
        grid-template-columns: minmax(0, 3fr) minmax(0, 2fr);
        gap: 12px;
      }
      @media (max-width: 900px) {
        :host {
          grid-template-columns: 1fr;
        }
      }
      svg {
        width: 100%;
        height: auto;
        display: block;
      }
      path {
        mix-blend-mode: screen;
      }
      path:hover {
        opacity: 1;
        stroke: var(--rs-text);
      }
      ol {
        margin: 0;
        padding-left: 1.4em;
        font-size: 0.82rem;
        font-variant-numeric: tabular-nums;
      }
      li {
        padding: 2px 0;
      }
      text.country {
        fill: var(--rs-text);
        font-size: 12px;
      }
    `,
  ];

  @property({ attribute: false }) corridors: readonly Corridor[] = [];
  @property() label = '';

  private readonly _locale = new LocaleController(this);
  private _layout: FlowLayout = { nodes: [], bands: [] };
  private _labelY: number[] = [];
  private _colour: ScaleLinear<string, string> = scaleLinear<string>();

  override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (!changed.has('corridors')) return;
    this._layout = corridorLayout(this.corridors, FRAME);
    // labels of each column spread apart (12 px text), in the nodes' order
    this._labelY = new Array<number>(this._layout.nodes.length);
    for (const side of ['from', 'to'] as const) {
      const at = this._layout.nodes.flatMap((node, i) => (node.side === side ? [i] : []));
      const ys = spreadLabels(at.map((i) => this._layout.nodes[i]!.y + this._layout.nodes[i]!.height / 2), LABEL_GAP, 4, FRAME.height - 4);
      at.forEach((i, k) => (this._labelY[i] = ys[k]!));
    }
    // Share of a corridor's payments that raised alerts: 0 → calm blue, 5 % and more → alarm.
    this._colour = scaleLinear<string>().domain([0, 0.05]).range([PALETTE.allow, PALETTE.critical]).clamp(true);
  }

  override render() {
    const country = (code: string) => (code === '' ? msg('overview.unknownCountry') : code);
    return html`
      <svg viewBox="0 0 ${W} ${H}" role="img" aria-label=${this.label}>
        <g transform="translate(0,4)">
          ${this._layout.bands.map(
            (band) => svg`<path d=${band.path} fill=${this._colour(band.corridor.alerts / Math.max(1, band.corridor.count))} opacity="0.55">
              <title>${this._describe(band.corridor)}</title></path>`,
          )}
          ${this._layout.nodes.map((node, i) => {
            const x = node.side === 'from' ? FRAME.left : FRAME.right - FRAME.nodeWidth;
            const tx = node.side === 'from' ? FRAME.left - 6 : FRAME.right + 6;
            return svg`<rect x=${x} y=${node.y} width=${FRAME.nodeWidth} height=${Math.max(1, node.height)} fill=${PALETTE.muted}></rect>
              <text class="country" x=${tx} y=${this._labelY[i]} dy="0.32em" text-anchor=${node.side === 'from' ? 'end' : 'start'}>${country(node.country)}</text>`;
          })}
        </g>
      </svg>
      <ol data-testid="corridor-list">
        ${this.corridors.slice(0, 10).map((c) => html`<li>${this._describe(c)}</li>`)}
      </ol>
    `;
  }

  private _describe(c: Corridor): string {
    return msg('overview.corridorRow', {
      from: c.from === '' ? msg('overview.unknownCountry') : c.from,
      to: c.to === '' ? msg('overview.unknownCountry') : c.to,
      count: formatInteger(c.count),
      amount: formatMoneyCompact(c.amountUsd, 'USD'),
      alerts: formatInteger(c.alerts),
    });
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'rs-corridor-flows': RsCorridorFlows;
  }
}
