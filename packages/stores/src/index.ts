export { openEventStore } from './open-event-store.js';
export { type OpenedReadModels, openReadModels } from './open-read-models.js';
