import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { type StoreConfig, withoutPassword } from '@beacon/config';
import type { EventStore } from '@beacon/event-store';
import { openEventStoreDbEventStore } from '@beacon/event-store-eventstoredb';
import { openPostgresEventStore } from '@beacon/event-store-postgres';
import { openSqliteEventStore } from '@beacon/event-store-sqlite';

/**
 * Opens the event store the configuration chooses (`storeConfigFrom` in @beacon/config), with a
 * description of where it is for messages. Failures are the adapters' own: StoreNotUsable for a
 * store that is not Beacon's or is newer, StoreUnavailable for a server that cannot be reached
 * or refuses the connection.
 */
export async function openEventStore(config: StoreConfig): Promise<{ store: EventStore; location: string }> {
  switch (config.kind) {
    case 'sqlite':
      mkdirSync(dirname(config.file), { recursive: true });
      return { store: await openSqliteEventStore({ file: config.file }), location: `SQLite file ${config.file}` };
    case 'postgres': {
      const store = await openPostgresEventStore({ connectionString: config.url, schema: config.schema });
      return { store, location: `PostgreSQL ${withoutPassword(config.url)}, schema ${config.schema}` };
    }
    case 'eventstoredb':
      return { store: await openEventStoreDbEventStore({ connectionString: config.url }), location: `EventStoreDB ${withoutPassword(config.url)}` };
  }
}
