import { readEnvironment, sqliteFileOf, storeVariables } from '@beacon/config';
import { z } from 'zod';
import { DEFAULT_MAX_UPLOAD_BYTES } from './upload-body.js';

/** The ingest service's variables: the store's, as for the `beacon` command, and its own. */
const variables = {
  ...storeVariables,
  BEACON_INGEST_PORT: z.coerce.number().int().min(0).max(65_535).default(8321),
  BEACON_MAX_UPLOAD_BYTES: z.coerce.number().int().positive().default(DEFAULT_MAX_UPLOAD_BYTES),
};

export interface IngestConfig {
  sqliteFile: string;
  /** Where the measure catalogue is read from; undefined = the catalogue shipped in data/. */
  catalogueDir: string | undefined;
  port: number;
  maxUploadBytes: number;
}

export function configFrom(env: NodeJS.ProcessEnv): IngestConfig {
  const parsed = readEnvironment(variables, env, "The ingest service's");
  return {
    sqliteFile: sqliteFileOf(parsed),
    catalogueDir: parsed.BEACON_CATALOGUE_DIR,
    port: parsed.BEACON_INGEST_PORT,
    maxUploadBytes: parsed.BEACON_MAX_UPLOAD_BYTES,
  };
}

export { ConfigError } from '@beacon/config';
