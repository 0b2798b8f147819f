// The public face of the dashboard's live WebSocket hub: the fastify plugin (GET /ws) and the hub
// it serves from. Wiring: `await app.register(hubPlugin, { bus, authenticate, logger, metrics })`,
// where `authenticate` maps an upgrade request's headers to the signed-in user.
export { hubPlugin, originAllowed, type HubAuthenticate, type HubPluginOptions } from './hub-plugin.js';
export { createHub, type AttachOptions, type Hub, type HubClientStats, type HubOptions, type HubStats } from './hub.js';
export {
  CLOSE_GOING_AWAY,
  CLOSE_POLICY,
  CLOSE_TOO_BIG,
  CLOSE_TRY_LATER,
  DEFAULT_HUB_LIMITS,
  effectiveAlertFilter,
  topicsFor,
  type HubLimits,
} from './hub-policy.js';
export { MAX_CLIENT_MESSAGE_BYTES } from './client-message.js';
export { KPI_RETAIN_SECONDS, KPI_WINDOWS } from './kpi-merge.js';
export { OLDEST_SERVED_PROTOCOL, protocolServed, statedProtocol } from './protocol-version.js';
