import type { EventStore } from '@beacon/event-store';
import { openEventStore as openConfiguredStore } from '@beacon/stores';
import type { Config } from './config.js';

/** The event store the configuration names, with a description of where it is for messages. */
export const openEventStore = (config: Config): Promise<{ store: EventStore; location: string }> => openConfiguredStore(config.store);
