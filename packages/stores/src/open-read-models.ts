import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { type ReadModelsConfig, readModelsWhere } from '@beacon/config';
import { type AuditBook, type RecordBook, type RecordKeeper, ReadModels } from '@beacon/read-models';
import { openPostgresReadModels } from '@beacon/read-models-postgres';

/** The read models opened: the projector's keeper, and what reports, pages and the audit read. */
export interface OpenedReadModels {
  keeper: RecordKeeper;
  records: RecordBook;
  audit: AuditBook;
  /** Where they are, for messages (never a password). */
  location: string;
  close(): Promise<void>;
}

/**
 * Opens the read models the configuration chooses (`readModelsConfigFrom` in @beacon/config):
 * a SQLite file for the embedded default, or a schema in PostgreSQL beside the event log.
 * Either refuses, with ReadModelsNotUsable, a database that is not Beacon's or is newer.
 */
export async function openReadModels(config: ReadModelsConfig): Promise<OpenedReadModels> {
  if (config.kind === 'sqlite') {
    mkdirSync(dirname(config.file), { recursive: true });
    const readModels = new ReadModels(config.file);
    return { keeper: readModels, records: readModels.records, audit: readModels.audit, location: readModelsWhere(config), close: async () => readModels.close() };
  }
  const opened = await openPostgresReadModels({ url: config.url, schema: config.schema });
  return { ...opened, location: opened.keeper.location };
}
