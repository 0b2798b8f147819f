// The overview's headline figures as text for the current locale.
import type { KpiTick } from '../../../server/protocol.js';
import { formatInteger, formatMoney, formatMoneyCompact, formatMs, formatPercent } from '../i18n/format.js';
import { msg, type MessageKey } from '../i18n/messages.js';
import type { HeldSecond } from './kpi-series.js';

export type TileId = 'events-per-second' | 'latency-p99' | 'alerts-per-minute' | 'fraud-rate' | 'blocked-amount';
export type TileText = { readonly id: TileId; readonly label: MessageKey; readonly value: string; readonly note: string };

export const NO_VALUE = '—';

export function tileTexts(tick: KpiTick | null): readonly TileText[] {
  return [
    { id: 'events-per-second', label: 'overview.eventsPerSecond', value: tick === null ? NO_VALUE : formatInteger(tick.decisionsPerSecond), note: '' },
    {
      id: 'latency-p99',
      label: 'overview.latencyP99',
      value: tick?.latencyP99Ms == null ? NO_VALUE : latencyText(tick.latencyP99Ms, tick.latencyP99Beyond),
      note: tick?.latencyP50Ms == null ? '' : `p50 ${latencyText(tick.latencyP50Ms, tick.latencyP50Beyond)}`,
    },
    { id: 'alerts-per-minute', label: 'overview.alertsPerMinute', value: tick === null ? NO_VALUE : formatInteger(tick.alertsPerMinute), note: '' },
    { id: 'fraud-rate', label: 'overview.fraudRate', value: tick === null ? NO_VALUE : formatPercent(tick.fraudRate), note: '' },
    {
      id: 'blocked-amount',
      label: 'overview.blockedAmount',
      value: tick === null ? NO_VALUE : formatMoneyCompact(tick.blockedUsdLastMinute, 'USD'),
      // The exact figure under the rounded one.
      note: tick === null ? '' : formatMoney(tick.blockedUsdLastMinute, 'USD'),
    },
  ];
}

/**
 * A latency quantile of a tick as text: "18.4 ms", or "> 300,000 ms" when it lies beyond the bound it
 * was sent as (`beyond`: an open histogram bucket), which alone would understate it.
 */
export function latencyText(ms: number, beyond: boolean | undefined): string {
  return beyond ? msg('overview.latencyAbove', { value: formatMs(ms) }) : formatMs(ms);
}

/** Recent values per tile for the sparklines (the last two minutes). */
export function tileTrend(id: TileId, ticks: readonly HeldSecond[]): number[] {
  const recent = ticks.slice(-120);
  switch (id) {
    case 'events-per-second':
      return recent.map((t) => t.decisionsPerSecond);
    case 'latency-p99':
      // the bound of a quantile beyond it: a line can draw no "more than"; the tile's text says it
      return recent.map((t) => t.latencyP99Ms ?? 0);
    case 'alerts-per-minute':
      return recent.map((t) => t.alertsPerMinute);
    case 'fraud-rate':
      return recent.map((t) => t.fraudRate);
    case 'blocked-amount':
      return recent.map((t) => Number(t.blockedUsdLastMinute) || 0);
  }
}
