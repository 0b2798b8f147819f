// The public face of dashboard/server/api: the REST data plugin, the OpenAPI plugin to register
// before it, and the role rules both follow.
export { dataApiPlugin, type DataApiOptions, type RoleGuard } from './data-api.js';
export { openApiPlugin, DOCS_PREFIX, OPENAPI_JSON_PATH, type OpenApiOptions } from './openapi.js';
export { ROUTE_ROLES, DATA_ROUTES, maskPolicyFor, seesAllAlertDomains, type DataRoute } from './access.js';
