// What the signed-in app hands its pages: the REST client and the tab's live connection.
import { LIVE_PROTOCOL_VERSION, type AlertFilter } from '../../../server/protocol.js';
import { fetchAlertsSince } from '../api/alerts-api.js';
import type { Api } from '../api/http.js';
import { LiveConnection } from '../live/live-connection.js';
import { pageBuild } from '../live/version-check.js';

export function liveUrl(location: Pick<Location, 'protocol' | 'host'>): string {
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/ws`;
}

export function createLiveConnection(api: Api, onUnauthorized: () => void): LiveConnection {
  return new LiveConnection({
    url: liveUrl(window.location),
    createSocket: (url) => new WebSocket(url),
    catchUp: (since: number, filter: AlertFilter | undefined) => fetchAlertsSince(api, since, filter),
    onUnauthorized,
    version: { protocol: LIVE_PROTOCOL_VERSION, build: pageBuild(document) },
  });
}
