// One headline figure of the overview with a small trend line.
import { LitElement, css, html, svg, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { extent } from 'd3-array';
import { scaleLinear } from 'd3-scale';
import { line } from 'd3-shape';
import { sharedStyles } from '../theme/theme.js';

const SPARK_W = 120;
const SPARK_H = 28;

/**
 * A KPI tile: label, value (already formatted for the locale), an optional note, and a sparkline of
 * recent values. The value is not a live region (it changes every second); the overview announces a
 * summary instead.
 */
@customElement('rs-kpi-tile')
export class RsKpiTile extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
      }
      .panel {
        display: grid;
        gap: 2px;
        height: 100%;
        box-sizing: border-box;
      }
      .label {
        color: var(--rs-text-dim);
        font-size: 0.85rem;
      }
      .value {
        font-size: 2rem;
        font-weight: 650;
        font-variant-numeric: tabular-nums;
        line-height: 1.15;
        white-space: nowrap;
        overflow: hidden;
        text-overflow: ellipsis;
      }
      .note {
        font-size: 0.8rem;
        color: var(--rs-text-dim);
      }
      svg {
        width: 100%;
        height: 28px;
      }
      path {
        fill: none;
        stroke: var(--tile-accent, var(--rs-accent));
        stroke-width: 1.5;
      }
    `,
  ];

  @property() label = '';
  @property() value = '';
  @property() note = '';
  @property({ attribute: false }) trend: readonly number[] = [];

  private _sparkPath: string | null = null;

  override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('trend')) this._sparkPath = sparkPath(this.trend);
  }

  override render() {
    return html`<div class="panel" role="group" aria-label=${this.label}>
      <span class="label">${this.label}</span>
      <span class="value" data-testid="tile-value">${this.value}</span>
      ${this.note === '' ? nothing : html`<span class="note">${this.note}</span>`}
      ${this._sparkPath === null
        ? nothing
        : html`<svg viewBox="0 0 ${SPARK_W} ${SPARK_H}" preserveAspectRatio="none" aria-hidden="true">${svg`<path d=${this._sparkPath}></path>`}</svg>`}
    </div>`;
  }
}

function sparkPath(values: readonly number[]): string | null {
  if (values.length < 2) return null;
  const [low = 0, high = 0] = extent(values);
  const x = scaleLinear().domain([0, values.length - 1]).range([0, SPARK_W]);
  const y = scaleLinear().domain([Math.min(0, low), high === low ? low + 1 : high]).range([SPARK_H - 2, 2]);
  return line<number>((_, i) => x(i), (v) => y(v))(values as number[]);
}

declare global {
  interface HTMLElementTagNameMap {
    'rs-kpi-tile': RsKpiTile;
  }
}
