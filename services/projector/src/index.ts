export { configFrom, projectorVariables } from './config.js';
export { catchUp, follow, type Progress, rebuild } from './projector.js';
export { type QueryApiOptions, queryApiPlugin } from './query-api.js';
export { buildQueryServer } from './server.js';
export { auditPlugin } from './audit-api.js';
