// What a tab makes of the server's hello: whether the server speaks the tab's protocol version and
// serves the tab's build. Pure.
import { BUILD_META_NAME, LIVE_PROTOCOL_PARAM } from '../../../server/protocol.js';

/** Which version of the /ws protocol and which build of the web app a tab is. */
export type TabVersion = { readonly protocol: number; readonly build: string | null };

/**
 * - `same`: read on.
 * - `new-build`: the same protocol, another web app (riskstream was upgraded, the messages did not
 *   change): everything reads right; offer a reload for the new app.
 * - `other-protocol`: the server's messages may mean something else to this tab's code (a tab
 *   opened before an upgrade, or one that reached a server of an older release): read nothing more
 *   from it, and ask for a reload, which brings the app the server serves.
 */
export type VersionVerdict = 'same' | 'new-build' | 'other-protocol';

/**
 * The verdict on a hello. A hello without `protocol` is from a server before versions, which spoke
 * protocol 1. Builds are compared only when both are known (a development server's page has none).
 */
export function versionVerdict(tab: TabVersion, hello: { readonly protocol?: unknown; readonly build?: unknown }): VersionVerdict {
  const serverProtocol = hello.protocol === undefined ? 1 : hello.protocol;
  if (serverProtocol !== tab.protocol) return 'other-protocol';
  if (typeof hello.build === 'string' && tab.build !== null && hello.build !== tab.build) return 'new-build';
  return 'same';
}

/** The socket's URL with the tab's protocol version stated in it (the server reads it at the upgrade). */
export function urlWithProtocol(url: string, protocol: number): string {
  return `${url}${url.includes('?') ? '&' : '?'}${LIVE_PROTOCOL_PARAM}=${protocol}`;
}

/** The build id the page was built with (vite.config.ts writes it into index.html), or null. */
export function pageBuild(document: Pick<Document, 'querySelector'>): string | null {
  return document.querySelector(`meta[name="${BUILD_META_NAME}"]`)?.getAttribute('content') ?? null;
}
