// @vitest-environment happy-dom
import { describe, expect, test } from 'vitest';
import { distinctTicks, withGaps } from './rs-time-series.js';

describe('rs-time-series', () => {
  test('time labels at the ends of the axis are anchored inward, the others centred', async () => {
    const chart = document.createElement('rs-time-series');
    const to = Date.UTC(2026, 11, 6, 0, 0, 0);
    chart.from = to - 15 * 60_000;
    chart.to = to;
    chart.series = [{ name: 'events/s', colour: '#5ab0e8', points: [{ t: chart.from, v: 1 }, { t: to, v: 2 }] }];
    document.body.append(chart);
    await chart.updateComplete;
    const anchors = [...chart.shadowRoot!.querySelectorAll('g.grid > text')]
      // the time axis's labels sit on the bottom line (the value axis's are placed per value)
      .filter((t) => t.getAttribute('y') === '194')
      .map((t) => [t.textContent, t.getAttribute('text-anchor')]);
    // the last tick is the axis's right end (00:00): cut in half when centred
    expect(anchors[anchors.length - 1]![1]).toBe('end');
    expect(anchors.slice(1, -1).every(([, a]) => a === 'middle')).toBe(true);
    chart.remove();
  });
  test('rs-time-series - the plot starts far enough right for its longest value label', async () => {
    const chart = document.createElement('rs-time-series');
    const to = Date.UTC(2026, 11, 6, 0, 0, 0);
    chart.from = to - 15 * 60_000;
    chart.to = to;
    chart.formatValue = (v) => `${v.toLocaleString('en-US')} ms`;
    chart.series = [{ name: 'p99', colour: '#f0a020', points: [{ t: chart.from, v: 10 }, { t: to, v: 905 }] }];
    document.body.append(chart);
    await chart.updateComplete;
    const label = [...chart.shadowRoot!.querySelectorAll('g.grid > text')].find((t) => t.textContent === '1,000 ms');
    expect(label).toBeDefined();
    // "1,000 ms" is 51 wide in the 11 px type (digits 7, "m" 10.7): anchored at its end, it needs x of
    // at least that (before: 46, and the SVG's left edge cut its "1")
    expect(Number(label!.getAttribute('x'))).toBeGreaterThanOrEqual(52);
    const gridLine = chart.shadowRoot!.querySelector('g.grid > line')!;
    expect(Number(gridLine.getAttribute('x1'))).toBeGreaterThan(Number(label!.getAttribute('x')));
    // small labels keep the usual margin
    chart.formatValue = (v) => String(v);
    chart.series = [{ name: 'events/s', colour: '#5ab0e8', points: [{ t: chart.from, v: 10 }, { t: to, v: 55 }] }];
    await chart.updateComplete;
    expect(chart.shadowRoot!.querySelector('g.grid > line')!.getAttribute('x1')).toBe('52');
    chart.remove();
  });
  test('rs-time-series - labels only whole-number ticks when the formatter would print some the same', () => {
    const integer = (v: number) => String(Math.round(v));
    expect(distinctTicks([0, 0.2, 0.4, 0.6, 0.8, 1], integer)).toEqual([0, 1]);
    expect(distinctTicks([0, 10, 20], integer)).toEqual([0, 10, 20]);
    expect(distinctTicks([0, 0.5, 1], (v) => v.toFixed(1))).toEqual([0, 0.5, 1]);
  });
  test('rs-time-series - a line breaks across an outage instead of joining its ends', () => {
    const second = (t: number, v: number) => ({ t: t * 1000, v });
    const steady = [second(0, 1), second(1, 2), second(2, 3), second(3, 4)];
    expect(withGaps(steady)).toEqual(steady);
    const outage = [second(0, 1), second(1, 2), second(2, 3), second(60, 4), second(61, 5)];
    expect(withGaps(outage)).toEqual([second(0, 1), second(1, 2), second(2, 3), { t: 2001, v: null }, second(60, 4), second(61, 5)]);
    // minutes: one-minute steps are the usual ones, a 10-minute hole is a gap
    const minute = (m: number) => ({ t: m * 60_000, v: m });
    expect(withGaps([minute(0), minute(1), minute(2), minute(12)]).filter((p) => p.v === null)).toHaveLength(1);
  });
});
