import { type ReadModelsConfig, readEnvironment, readModelsConfigFrom, type StoreConfig, storeConfigFrom } from '@beacon/config';
import { authVariables, sessionKeyFileOf } from '@beacon/http-auth';
import { feedDirOf, reporterVariables } from '@beacon/reporter-service';
import { webVariables } from '@beacon/web';

export interface Config {
  /** Folder of the embedded default's files (event store, read models, feed files). */
  home: string;
  /** The event store: SQLite (the embedded default), PostgreSQL or EventStoreDB. */
  store: StoreConfig;
  /** The projector's read models (and the feed's outbox): a SQLite file, or a schema beside a PostgreSQL store. */
  readModels: ReadModelsConfig;
  /** Where the measure catalogue is read from; undefined = the catalogue shipped in data/. */
  catalogueDir: string | undefined;
  /** The monthly feed: to Kafka when KAFKA_BROKERS is set, else to files. */
  feed: { kind: 'kafka'; brokers: string[] } | { kind: 'files'; dir: string };
  feedTopic: string;
  closeDay: number;
  /** The dashboard's port on loopback (0: any free one) and the Chromium its PDF export runs. */
  web: { port: number; chromium: string };
  /** The key of sign-in sessions' cookies (made on first use): BEACON_SESSION_KEY_FILE, else session-key in BEACON_HOME. */
  sessionKeyFile: string;
}

/** The `beacon` command's configuration, from the environment, validated at start-up. */
export function configFrom(env: NodeJS.ProcessEnv): Config {
  const variables = readEnvironment({ ...reporterVariables, ...webVariables, ...authVariables }, env, "Beacon's");
  return {
    home: variables.BEACON_HOME,
    store: storeConfigFrom(variables, "Beacon's"),
    readModels: readModelsConfigFrom(variables, "Beacon's"),
    catalogueDir: variables.BEACON_CATALOGUE_DIR,
    feed: variables.KAFKA_BROKERS ? { kind: 'kafka', brokers: variables.KAFKA_BROKERS.split(',') } : { kind: 'files', dir: feedDirOf(variables) },
    feedTopic: variables.BEACON_FEED_TOPIC,
    closeDay: variables.BEACON_MONTH_CLOSE_DAY,
    web: { port: variables.BEACON_WEB_PORT, chromium: variables.BEACON_CHROMIUM },
    sessionKeyFile: sessionKeyFileOf(variables),
  };
}

export { ConfigError } from '@beacon/config';
