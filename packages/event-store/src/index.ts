export type * from './event-store.js';
export { EventIdConflict, StoreNotUsable, StreamRevisionConflict } from './errors.js';
export { logPages } from './log-pages.js';
