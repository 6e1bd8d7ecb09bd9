import { readEnvironment, sqliteFileOf, storeVariables } from '@beacon/config';

export interface Config {
  /** Folder of the embedded default's files (event store, feed files). */
  home: string;
  store: { kind: 'sqlite'; file: string };
  /** Where the measure catalogue is read from; undefined = the catalogue shipped in data/. */
  catalogueDir: string | undefined;
}

/** The `beacon` command's configuration, from the environment, validated at start-up. */
export function configFrom(env: NodeJS.ProcessEnv): Config {
  const variables = readEnvironment(storeVariables, env, "Beacon's");
  return {
    home: variables.BEACON_HOME,
    store: { kind: variables.BEACON_STORE, file: sqliteFileOf(variables) },
    catalogueDir: variables.BEACON_CATALOGUE_DIR,
  };
}

export { ConfigError } from '@beacon/config';
