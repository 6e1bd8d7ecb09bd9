import { join } from 'node:path';
import { z } from 'zod';
import { DEFAULT_MAX_UPLOAD_BYTES } from './upload-body.js';

/**
 * The ingest service's configuration, from the environment and validated at start-up. The store
 * variables mean what they mean to the `beacon` command, so both open the same store.
 */
const Environment = z.object({
  BEACON_HOME: z.string().min(1).default('var'),
  BEACON_SQLITE_FILE: z.string().min(1).optional(),
  BEACON_CATALOGUE_DIR: z.string().min(1).optional(),
  BEACON_INGEST_PORT: z.coerce.number().int().min(0).max(65_535).default(8321),
  BEACON_MAX_UPLOAD_BYTES: z.coerce.number().int().positive().default(DEFAULT_MAX_UPLOAD_BYTES),
});

export interface IngestConfig {
  sqliteFile: string;
  /** Where the measure catalogue is read from; undefined = the catalogue shipped in data/. */
  catalogueDir: string | undefined;
  port: number;
  maxUploadBytes: number;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export function configFrom(env: NodeJS.ProcessEnv): IngestConfig {
  const parsed = Environment.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0]);
      return `  ${name}=${JSON.stringify(env[name])}: ${issue.message}`;
    });
    throw new ConfigError(`The ingest service's configuration is not valid:\n${problems.join('\n')}`);
  }
  const { BEACON_HOME, BEACON_SQLITE_FILE, BEACON_CATALOGUE_DIR, BEACON_INGEST_PORT, BEACON_MAX_UPLOAD_BYTES } = parsed.data;
  return {
    sqliteFile: BEACON_SQLITE_FILE ?? join(BEACON_HOME, 'events.sqlite'),
    catalogueDir: BEACON_CATALOGUE_DIR,
    port: BEACON_INGEST_PORT,
    maxUploadBytes: BEACON_MAX_UPLOAD_BYTES,
  };
}
