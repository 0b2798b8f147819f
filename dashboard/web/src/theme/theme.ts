// The dark monitoring-wall theme: colour tokens (a colour-blind-safe Okabe–Ito palette for actions
// and severities, always shown next to words, never colour alone) and the styles every panel shares.
import { css, unsafeCSS } from 'lit';

/** Chart colours as values, for d3 scales that need them in code. */
export const PALETTE = {
  allow: '#56b4e9',
  review: '#f0e442',
  block: '#e66100',
  low: '#56b4e9',
  medium: '#f0e442',
  high: '#e69f00',
  critical: '#ff5c8a',
  series1: '#56b4e9',
  series2: '#e69f00',
  series3: '#009e73',
  series4: '#cc79a7',
  muted: '#7d8799',
  grid: '#263042',
} as const;

export const SERIES_COLOURS = [PALETTE.series1, PALETTE.series2, PALETTE.series3, PALETTE.series4, '#f0e442', '#0072b2', '#d55e00'] as const;

/** Our own constant colours into CSS (never data). */
const c = (colour: string) => unsafeCSS(colour);

/** Shared component styles: panels, tables, buttons, focus rings, badges. */
export const sharedStyles = css`
  :host {
    color: var(--rs-text);
    font-family: var(--rs-font);
  }
  /* Label / value lists (alert facts, account profile and totals). */
  dl {
    display: grid;
    grid-template-columns: max-content 1fr;
    gap: 4px 12px;
    margin: 0;
    font-size: 0.9rem;
  }
  dt {
    color: var(--rs-text-dim);
  }
  dd {
    margin: 0;
    overflow-wrap: anywhere;
  }
  *:focus-visible {
    outline: 3px solid var(--rs-focus);
    outline-offset: 2px;
  }
  .panel {
    background: var(--rs-panel);
    border: 1px solid var(--rs-border);
    border-radius: 8px;
    padding: 12px 16px;
    min-width: 0;
  }
  h1 {
    font-size: 1.3rem;
    margin: 0 0 12px;
    font-weight: 600;
    /* long ids (alerts, accounts) wrap instead of widening the page */
    overflow-wrap: anywhere;
  }
  /* A table wider than its panel scrolls sideways inside it; the page never does. */
  .table-scroll {
    overflow-x: auto;
    max-width: 100%;
  }
  td.nowrap,
  th.nowrap {
    white-space: nowrap;
    overflow-wrap: normal;
  }
  h2 {
    font-size: 0.95rem;
    margin: 0 0 8px;
    font-weight: 600;
    color: var(--rs-text-dim);
    text-transform: none;
  }
  table {
    border-collapse: collapse;
    width: 100%;
    font-size: 0.85rem;
    font-variant-numeric: tabular-nums;
  }
  th,
  td {
    text-align: left;
    padding: 4px 8px;
    border-bottom: 1px solid var(--rs-border);
    vertical-align: top;
    overflow-wrap: anywhere;
  }
  th {
    color: var(--rs-text-dim);
    font-weight: 600;
    overflow-wrap: normal;
  }
  td.num,
  th.num {
    text-align: right;
    white-space: nowrap;
  }
  button,
  select,
  input {
    font: inherit;
    color: var(--rs-text);
    background: var(--rs-input);
    border: 1px solid var(--rs-border-strong);
    border-radius: 6px;
    padding: 6px 10px;
  }
  button {
    cursor: pointer;
  }
  button:hover:not([disabled]) {
    border-color: var(--rs-accent);
  }
  button[disabled] {
    opacity: 0.55;
    cursor: default;
  }
  button.primary {
    background: var(--rs-accent-strong);
    border-color: var(--rs-accent-strong);
    color: #08111f;
    font-weight: 600;
  }
  a {
    color: var(--rs-link);
  }
  .badge {
    display: inline-block;
    padding: 1px 6px;
    border-radius: 4px;
    font-size: 0.75rem;
    font-weight: 600;
    color: #08111f;
    white-space: nowrap;
  }
  .sev-low,
  .act-allow {
    background: ${c(PALETTE.low)};
  }
  .sev-medium,
  .act-review {
    background: ${c(PALETTE.medium)};
  }
  .sev-high {
    background: ${c(PALETTE.high)};
  }
  .sev-critical {
    background: ${c(PALETTE.critical)};
  }
  .act-block {
    background: ${c(PALETTE.block)};
  }
  .dim {
    color: var(--rs-text-dim);
  }
  .error {
    color: var(--rs-error);
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
  }
  .mono {
    font-family: var(--rs-mono);
  }
  svg text {
    fill: var(--rs-text-dim);
    font-size: 11px;
  }
`;

/** A d3 chart component: a block that scales its SVG to the width it is given. */
export const chartStyles = css`
  :host {
    display: block;
  }
  svg {
    width: 100%;
    height: auto;
    display: block;
  }
`;
