// A line chart of one or more series over time (throughput, latency), drawn with d3 scales and
// shapes into a Lit SVG template.
import { LitElement, css, html, svg, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { max } from 'd3-array';
import { scaleLinear, scaleTime, type ScaleLinear, type ScaleTime } from 'd3-scale';
import { line } from 'd3-shape';
import { formatClock } from '../i18n/format.js';
import { chartStyles, sharedStyles } from '../theme/theme.js';
import type { SeriesPoint } from './kpi-series.js';

export type ChartSeries = { readonly name: string; readonly colour: string; readonly points: readonly SeriesPoint[]; readonly dashed?: boolean };

const W = 640;
const H = 200;
const M = { top: 10, right: 12, bottom: 22, left: 52 };
/** Half a clock label's width (HH:MM in 11 px type), in viewBox units. */
const EDGE = 18;
/** Room between a value label and the plot. */
const LABEL_GAP = 6;

/**
 * Time series. `from`/`to` fix the time axis so the chart scrolls smoothly as ticks arrive;
 * `formatValue` labels the y axis in the current locale.
 */
@customElement('rs-time-series')
export class RsTimeSeries extends LitElement {
  static override styles = [
    sharedStyles,
    chartStyles,
    css`
      .grid line {
        stroke: var(--rs-border);
      }
      .series {
        fill: none;
        stroke-width: 1.6;
      }
      .legend {
        display: flex;
        gap: 12px;
        font-size: 0.8rem;
        color: var(--rs-text-dim);
      }
      .swatch {
        display: inline-block;
        width: 14px;
        height: 3px;
        vertical-align: middle;
        margin-right: 4px;
      }
    `,
  ];

  @property({ attribute: false }) series: readonly ChartSeries[] = [];
  @property({ type: Number }) from = 0;
  @property({ type: Number }) to = 0;
  @property({ attribute: false }) formatValue: (value: number) => string = String;
  /** Describes the chart for screen readers. */
  @property() label = '';

  private _x: ScaleTime<number, number> = scaleTime();
  private _y: ScaleLinear<number, number> = scaleLinear();
  private _yTicks: number[] = [];
  /** The plot's left edge: wide enough for the longest value label ("1,000 ms" did not fit in 52). */
  private _left = M.left;
  private _paths: string[] = [];

  override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (!changed.has('series') && !changed.has('from') && !changed.has('to') && !changed.has('formatValue')) return;
    const top = max(this.series, (s) => max(s.points, (p) => p.v ?? 0)) ?? 0;
    this._y = scaleLinear().domain([0, top > 0 ? top * 1.1 : 1]).nice().range([H - M.bottom, M.top]);
    this._yTicks = distinctTicks(this._y.ticks(4), this.formatValue);
    this._left = Math.max(M.left, Math.ceil(Math.max(0, ...this._yTicks.map((v) => labelWidth(this.formatValue(v)))) + LABEL_GAP + 2));
    this._x = scaleTime().domain([this.from, this.to]).range([this._left, W - M.right]);
    const x = this._x;
    const y = this._y;
    const from = this.from;
    const draw = line<SeriesPoint>()
      .defined((p) => p.v !== null && p.t >= from)
      .x((p) => x(p.t))
      .y((p) => y(p.v ?? 0));
    this._paths = this.series.map((s) => draw(withGaps(s.points)) ?? '');
  }

  override render() {
    const x = this._x;
    const y = this._y;
    return html`<figure style="margin:0">
      <svg viewBox="0 0 ${W} ${H}" role="img" aria-label=${this.label}>
        <g class="grid">
          ${this._yTicks.map(
            (v) => svg`<line x1=${this._left} x2=${W - M.right} y1=${y(v)} y2=${y(v)}></line>
              <text x=${this._left - LABEL_GAP} y=${y(v)} dy="0.32em" text-anchor="end">${this.formatValue(v)}</text>`,
          )}
          ${x.ticks(6).map((t) => svg`<text x=${x(t)} y=${H - 6} text-anchor=${tickAnchor(x(t), this._left)}>${formatClock(t.getTime())}</text>`)}
        </g>
        ${this.series.map(
          (s, i) => svg`<path class="series" d=${this._paths[i] ?? ''} stroke=${s.colour} stroke-dasharray=${s.dashed === true ? '4 3' : nothing}></path>`,
        )}
      </svg>
      ${this.series.length > 1
        ? html`<figcaption class="legend">
            ${this.series.map((s) => html`<span><span class="swatch" style="background:${s.colour}"></span>${s.name}</span>`)}
          </figcaption>`
        : nothing}
    </figure>`;
  }
}

/** A time label near either end of the axis is anchored inward, so that the edge does not cut it. */
function tickAnchor(at: number, left: number): 'start' | 'middle' | 'end' {
  if (at > W - M.right - EDGE) return 'end';
  if (at < left + EDGE) return 'start';
  return 'middle';
}

/**
 * A value label's width in 11 px type, in viewBox units, over-estimated rather than under: 7 a
 * character (digits are 6.5 wide, "m" 10), 11 for a CJK one (毫秒).
 */
export function labelWidth(text: string): number {
  let width = 0;
  for (const char of text) width += char.codePointAt(0)! >= 0x2e80 ? 11 : char === 'm' || char === 'M' ? 10 : 7;
  return width;
}

declare global {
  interface HTMLElementTagNameMap {
    'rs-time-series': RsTimeSeries;
  }
}

/**
 * The y ticks to label: when the formatter prints some the same (a range of 0 to 1 ticked at 0.2
 * and labelled as integers reads "0 0 0 1 1 1"), only the whole-number ticks, which it prints
 * exactly and in their place.
 */
export function distinctTicks(ticks: readonly number[], format: (value: number) => string): number[] {
  const labels = new Set(ticks.map(format));
  return labels.size === ticks.length ? [...ticks] : ticks.filter((tick) => Number.isInteger(tick));
}

/**
 * The points with a break where data is missing: after a step more than three times the usual one
 * (the median step; at least `minGapMs`), a null point, so the line stops at an outage instead of
 * drawing a straight diagonal across it.
 */
export function withGaps(points: readonly SeriesPoint[], minGapMs = 5_000): SeriesPoint[] {
  if (points.length < 3) return [...points];
  const steps: number[] = [];
  for (let i = 1; i < points.length; i++) steps.push(points[i]!.t - points[i - 1]!.t);
  const sorted = [...steps].sort((a, b) => a - b);
  const usual = sorted[Math.floor(sorted.length / 2)]!;
  const limit = Math.max(3 * usual, minGapMs);
  const out: SeriesPoint[] = [points[0]!];
  for (let i = 1; i < points.length; i++) {
    const previous = points[i - 1]!;
    if (points[i]!.t - previous.t > limit) out.push({ t: previous.t + 1, v: null });
    out.push(points[i]!);
  }
  return out;
}
