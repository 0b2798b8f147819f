// The distribution of decision scores over the last minute: equal-width buckets over 0–1000.
import { LitElement, css, html, svg } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { max } from 'd3-array';
import { scaleBand, scaleLinear, type ScaleBand, type ScaleLinear } from 'd3-scale';
import { formatInteger } from '../i18n/format.js';
import { PALETTE, chartStyles, sharedStyles } from '../theme/theme.js';

const W = 520;
const H = 200;
const M = { top: 8, right: 20, bottom: 22, left: 48 };

/** Score histogram; bars shade from the allow colour (low scores) to the block colour (high). */
@customElement('rs-score-histogram')
export class RsScoreHistogram extends LitElement {
  static override styles = [
    sharedStyles,
    chartStyles,
    css`
      line {
        stroke: var(--rs-border);
      }
    `,
  ];

  @property({ attribute: false }) buckets: readonly number[] = [];
  @property() label = '';

  private _x: ScaleBand<number> = scaleBand<number>();
  private _y: ScaleLinear<number, number> = scaleLinear();
  private _colour: ScaleLinear<string, string> = scaleLinear<string>();

  override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (!changed.has('buckets')) return;
    const n = this.buckets.length;
    this._x = scaleBand<number>()
      .domain(this.buckets.map((_, i) => i))
      .range([M.left, W - M.right])
      .padding(0.12);
    this._y = scaleLinear()
      .domain([0, Math.max(1, max(this.buckets) ?? 0)])
      .nice()
      .range([H - M.bottom, M.top]);
    this._colour = scaleLinear<string>().domain([0, Math.max(1, n - 1)]).range([PALETTE.allow, PALETTE.block]);
  }

  override render() {
    const x = this._x;
    const y = this._y;
    const width = 1000 / Math.max(1, this.buckets.length);
    return html`<svg viewBox="0 0 ${W} ${H}" role="img" aria-label=${this.label}>
      ${y.ticks(4).map(
        (v) => svg`<line x1=${M.left} x2=${W - M.right} y1=${y(v)} y2=${y(v)}></line>
          <text x=${M.left - 6} y=${y(v)} dy="0.32em" text-anchor="end">${formatInteger(v)}</text>`,
      )}
      ${this.buckets.map(
        (count, i) => svg`<rect x=${x(i) ?? 0} width=${x.bandwidth()} y=${y(count)} height=${Math.max(0, y(0) - y(count))} fill=${this._colour(i)}>
          <title>${formatInteger(i * width)}–${formatInteger((i + 1) * width)}: ${formatInteger(count)}</title>
        </rect>`,
      )}
      ${[0, 250, 500, 750, 1000].map((score) => {
        const at = M.left + ((W - M.left - M.right) * score) / 1000;
        return svg`<text x=${at} y=${H - 6} text-anchor="middle">${formatInteger(score)}</text>`;
      })}
    </svg>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'rs-score-histogram': RsScoreHistogram;
  }
}
