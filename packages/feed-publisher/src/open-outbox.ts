import type { ReadModelsConfig } from '@beacon/config';
import type { Outbox } from './outbox.js';
import { PostgresOutbox } from './postgres-outbox.js';
import { SqliteOutbox } from './sqlite-outbox.js';

/**
 * The outbox beside the read models the configuration names: in their SQLite file (on a
 * connection of its own) or in their PostgreSQL schema. Open the read models first: they refuse
 * a new database that already holds other tables. `close()` closes what this opened.
 */
export async function openOutbox(config: ReadModelsConfig): Promise<Outbox> {
  return config.kind === 'sqlite' ? SqliteOutbox.open(config.file) : PostgresOutbox.open(config);
}
