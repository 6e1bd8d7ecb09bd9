export { buildWebApp, type WebAppOptions } from './app.js';
export { CHROMIUM_FLAGS, DEFAULT_CHROMIUM } from './chromium.js';
export { type Dashboard, type DashboardOptions, startDashboard, webVariables } from './serve.js';
