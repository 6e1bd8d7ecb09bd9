import { eventStoreVariables, type ReadModelsConfig, readEnvironment, readModelsConfigFrom, readModelsVariables, type StoreConfig, storeConfigFrom } from '@beacon/config';
import { authVariables, sessionKeyFileOf } from '@beacon/http-auth';
import { z } from 'zod';

/** The projector's variables: the event store's (SQLite, PostgreSQL or EventStoreDB), as for every service, and its own. */
export const projectorVariables = {
  ...eventStoreVariables,
  ...readModelsVariables,
  BEACON_QUERY_PORT: z.coerce.number().int().min(0).max(65_535).default(8322),
};

export interface ProjectorConfig {
  store: StoreConfig;
  readModels: ReadModelsConfig;
  sessionKeyFile: string;
  catalogueDir: string | undefined;
  port: number;
}

export function configFrom(env: NodeJS.ProcessEnv): ProjectorConfig {
  // The session key's variable is the projector's own: the reporter, which shares the others, serves no people.
  const parsed = readEnvironment({ ...projectorVariables, ...authVariables }, env, "The projector's");
  return {
    store: storeConfigFrom(parsed, "The projector's"),
    readModels: readModelsConfigFrom(parsed, "The projector's"),
    sessionKeyFile: sessionKeyFileOf(parsed),
    catalogueDir: parsed.BEACON_CATALOGUE_DIR,
    port: parsed.BEACON_QUERY_PORT,
  };
}

export { ConfigError } from '@beacon/config';
