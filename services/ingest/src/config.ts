import { eventStoreVariables, readEnvironment, type StoreConfig, storeConfigFrom } from '@beacon/config';
import { authVariables, sessionKeyFileOf } from '@beacon/http-auth';
import { z } from 'zod';
import { DEFAULT_MAX_RETURN_ROWS, DEFAULT_MAX_UPLOAD_BYTES } from './upload-body.js';
import { DEFAULT_MAX_WORKBOOK_BYTES } from './workbook-guard.js';

/** The ingest service's variables: the store's, as for the `beacon` command, the session key's, and its own. */
const variables = {
  ...eventStoreVariables,
  ...authVariables,
  BEACON_INGEST_PORT: z.coerce.number().int().min(0).max(65_535).default(8321),
  BEACON_MAX_UPLOAD_BYTES: z.coerce.number().int().positive().default(DEFAULT_MAX_UPLOAD_BYTES),
  BEACON_MAX_RETURN_ROWS: z.coerce.number().int().positive().default(DEFAULT_MAX_RETURN_ROWS),
  BEACON_MAX_WORKBOOK_BYTES: z.coerce.number().int().positive().default(DEFAULT_MAX_WORKBOOK_BYTES),
  BEACON_UPLOADS_PER_MINUTE: z.coerce.number().int().positive().default(30),
};

export interface IngestConfig {
  /** The event store: SQLite (the embedded default), PostgreSQL or EventStoreDB. */
  store: StoreConfig;
  /** Where the measure catalogue is read from; undefined = the catalogue shipped in data/. */
  catalogueDir: string | undefined;
  sessionKeyFile: string;
  port: number;
  maxUploadBytes: number;
  maxRowsPerReturn: number;
  maxWorkbookBytes: number;
  uploadsPerMinute: number;
}

export function configFrom(env: NodeJS.ProcessEnv): IngestConfig {
  const parsed = readEnvironment(variables, env, "The ingest service's");
  return {
    store: storeConfigFrom(parsed, "The ingest service's"),
    catalogueDir: parsed.BEACON_CATALOGUE_DIR,
    sessionKeyFile: sessionKeyFileOf(parsed),
    port: parsed.BEACON_INGEST_PORT,
    maxUploadBytes: parsed.BEACON_MAX_UPLOAD_BYTES,
    maxRowsPerReturn: parsed.BEACON_MAX_RETURN_ROWS,
    maxWorkbookBytes: parsed.BEACON_MAX_WORKBOOK_BYTES,
    uploadsPerMinute: parsed.BEACON_UPLOADS_PER_MINUTE,
  };
}

export { ConfigError } from '@beacon/config';
