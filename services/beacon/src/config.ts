import { readEnvironment, sqliteFileOf } from '@beacon/config';
import { projectorVariables, readModelsFileOf } from '@beacon/projector-service';

export interface Config {
  /** Folder of the embedded default's files (event store, read models, feed files). */
  home: string;
  store: { kind: 'sqlite'; file: string };
  /** The projector's read models (SQLite). */
  readModelsFile: string;
  /** Where the measure catalogue is read from; undefined = the catalogue shipped in data/. */
  catalogueDir: string | undefined;
}

/** The `beacon` command's configuration, from the environment, validated at start-up. */
export function configFrom(env: NodeJS.ProcessEnv): Config {
  const variables = readEnvironment(projectorVariables, env, "Beacon's");
  return {
    home: variables.BEACON_HOME,
    store: { kind: variables.BEACON_STORE, file: sqliteFileOf(variables) },
    readModelsFile: readModelsFileOf(variables),
    catalogueDir: variables.BEACON_CATALOGUE_DIR,
  };
}

export { ConfigError } from '@beacon/config';
