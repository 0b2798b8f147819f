// Which version of the /ws protocol a socket speaks, and what the hub does for the older ones it
// still serves. A tab states its version when it opens the socket (`/ws?protocol=2`); the bundles
// from before versions (2026-12-07) state none and are protocol 1. Pure.
import { LIVE_PROTOCOL_VERSION } from '../protocol.js';

/**
 * The oldest version the hub serves. Protocol 1 tabs differ only in reading kpi-history's `ticks`
 * and not its `trail`: they are sent every tick whole, which they read, until their user reloads.
 * Raise this when serving an old version costs more than refusing it (CLOSE_PROTOCOL_UNSUPPORTED).
 */
export const OLDEST_SERVED_PROTOCOL = 1;

/** Versions are small whole numbers; a longer text is not one (and never reaches parseInt). */
const VERSION_TEXT = /^[1-9][0-9]{0,3}$/;

/**
 * The version a socket stated in its query parameter: none is 1 (a bundle from before versions);
 * a version is that number; anything else (not a number, stated twice) is null, and refused.
 */
export function statedProtocol(value: unknown): number | null {
  if (value === undefined) return 1;
  return typeof value === 'string' && VERSION_TEXT.test(value) ? Number(value) : null;
}

/** True when the hub speaks `version`: neither older than it still serves nor newer than it knows. */
export function protocolServed(version: number | null): version is number {
  return version !== null && version >= OLDEST_SERVED_PROTOCOL && version <= LIVE_PROTOCOL_VERSION;
}

/**
 * True when a kpi subscription must get every tick whole instead of the newest one and a trail: a
 * protocol 1 tab reads `ticks` only, so a trail would leave its charts with only the newest second.
 * A protocol 1 tab that sends `since` is of the one bundle (2026-12-07) that asked for seconds and
 * read the trail before it stated a version; it gets what protocol 2 gets.
 */
export function wantsWholeTicks(protocol: number, since: number | undefined): boolean {
  return protocol < 2 && since === undefined;
}
