import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { EventStore } from '@beacon/event-store';
import { openSqliteEventStore } from '@beacon/event-store-sqlite';
import type { Config } from './config.js';

/** The event store the configuration names, with a description of where it is for messages. */
export async function openEventStore(config: Config): Promise<{ store: EventStore; location: string }> {
  mkdirSync(dirname(config.store.file), { recursive: true });
  return { store: await openSqliteEventStore({ file: config.store.file }), location: `SQLite file ${config.store.file}` };
}
