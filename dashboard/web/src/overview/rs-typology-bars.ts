// Alerts by typology: a ranked horizontal bar chart.
import { LitElement, css, html, svg } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { max } from 'd3-array';
import { scaleBand, scaleLinear, type ScaleBand, type ScaleLinear } from 'd3-scale';
import { formatInteger } from '../i18n/format.js';
import { LocaleController } from '../i18n/locale.js';
import { typologyText } from '../i18n/messages.js';
import { SERIES_COLOURS, chartStyles, sharedStyles } from '../theme/theme.js';

const W = 520;
const ROW = 22;
const M = { top: 4, right: 56, bottom: 4, left: 170 };
const MAX_ROWS = 12;

/** Typologies with the most alerts first; the count is written beside each bar. */
@customElement('rs-typology-bars')
export class RsTypologyBars extends LitElement {
  static override styles = [
    sharedStyles,
    chartStyles,
    css`
      .empty {
        color: var(--rs-text-dim);
      }
    `,
  ];

  @property({ attribute: false }) counts: Readonly<Record<string, number>> = {};
  @property() label = '';
  @property() emptyText = '';

  private readonly _locale = new LocaleController(this);
  private _rows: Array<readonly [string, number]> = [];
  private _x: ScaleLinear<number, number> = scaleLinear();
  private _y: ScaleBand<string> = scaleBand<string>();

  override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (!changed.has('counts')) return;
    this._rows = Object.entries(this.counts)
      .filter(([, n]) => n > 0)
      .sort((a, b) => b[1] - a[1])
      .slice(0, MAX_ROWS);
    const height = M.top + M.bottom + ROW * this._rows.length;
    this._x = scaleLinear()
      .domain([0, Math.max(1, max(this._rows, (r) => r[1]) ?? 0)])
      .range([M.left, W - M.right]);
    this._y = scaleBand<string>()
      .domain(this._rows.map((r) => r[0]))
      .range([M.top, height - M.bottom])
      .padding(0.2);
  }

  override render() {
    if (this._rows.length === 0) return html`<p class="empty">${this.emptyText}</p>`;
    const height = M.top + M.bottom + ROW * this._rows.length;
    const x = this._x;
    const y = this._y;
    return html`<svg viewBox="0 0 ${W} ${height}" role="img" aria-label=${this.label}>
      ${this._rows.map(
        ([typology, count], i) => svg`<g>
          <text x=${M.left - 8} y=${(y(typology) ?? 0) + y.bandwidth() / 2} dy="0.32em" text-anchor="end">${typologyText(typology)}</text>
          <rect x=${M.left} y=${y(typology) ?? 0} height=${y.bandwidth()} width=${Math.max(1, x(count) - M.left)} fill=${SERIES_COLOURS[i % SERIES_COLOURS.length]}></rect>
          <text x=${x(count) + 6} y=${(y(typology) ?? 0) + y.bandwidth() / 2} dy="0.32em">${formatInteger(count)}</text>
        </g>`,
      )}
    </svg>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'rs-typology-bars': RsTypologyBars;
  }
}
