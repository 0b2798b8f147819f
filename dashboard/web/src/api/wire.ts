// Wire types the web app uses, derived from the server contract (dashboard/server/protocol.ts).
import type { AlertPageAnswer, ServerMessage } from '../../../server/protocol.js';

export type AlertWire = Extract<ServerMessage, { type: 'alert' }>['alert'];
/** An alert in the feed: pushed ones carry minor units only, REST pages add the decimal `amount`. */
export type FeedAlert = AlertWire & { readonly amount?: string };
export type AlertPageRow = AlertPageAnswer['alerts'][number];
export type Reason = AlertWire['reasons'][number];
