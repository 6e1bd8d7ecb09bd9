export type * from './event-store.js';
export { copyLog, type CopyProgress } from './copy-log.js';
export { EventIdConflict, StoreNotUsable, StoreUnavailable, StreamRevisionConflict } from './errors.js';
export { LogSubscription, LogSubscriptions } from './log-subscription.js';
export { logPages } from './log-pages.js';
export { requestedStoredAt } from './stored-at.js';
export { checkedMaxCount, dataJson, metadataJson, LoggedEvent, revisionSatisfies } from './adapter-support.js';
