import { join } from 'node:path';
import { type ReadModelsConfig, readEnvironment, readModelsConfigFrom, type StoreConfig, storeConfigFrom } from '@beacon/config';
import { FEED_TOPIC } from '@beacon/feed';
import { projectorVariables } from '@beacon/projector-service';
import { z } from 'zod';

/** The reporter's variables: the projector's (it keeps the read models up to date too) and its own. */
export const reporterVariables = {
  ...projectorVariables,
  /** host:port[,host:port...]; without it the feed goes to files. */
  KAFKA_BROKERS: z
    .string()
    .regex(/^[\w.-]+:\d+(,[\w.-]+:\d+)*$/, 'must be host:port, or several separated by commas, e.g. 127.0.0.1:19092')
    .optional(),
  BEACON_FEED_DIR: z.string().min(1).optional(),
  BEACON_FEED_TOPIC: z.string().regex(/^[A-Za-z0-9._-]{1,249}$/, 'a Kafka topic name: letters, digits, ".", "_" or "-"').default(FEED_TOPIC),
  BEACON_MONTH_CLOSE_DAY: z.coerce.number().int().min(1).max(28).default(20),
  BEACON_REPORT_EVERY_SECONDS: z.coerce.number().positive().default(60),
  BEACON_REPORTER_PORT: z.coerce.number().int().min(0).max(65_535).default(8323),
};

export interface ReporterConfig {
  store: StoreConfig;
  readModels: ReadModelsConfig;
  catalogueDir: string | undefined;
  /** Kafka brokers, or the folder of the file feed. */
  feed: { kind: 'kafka'; brokers: string[] } | { kind: 'files'; dir: string };
  topic: string;
  closeDay: number;
  everyMs: number;
  port: number;
}

export const feedDirOf = (variables: { BEACON_HOME: string; BEACON_FEED_DIR?: string | undefined }) => variables.BEACON_FEED_DIR ?? join(variables.BEACON_HOME, 'feed');

export function configFrom(env: NodeJS.ProcessEnv): ReporterConfig {
  const v = readEnvironment(reporterVariables, env, "The reporter's");
  return {
    store: storeConfigFrom(v, "The reporter's"),
    readModels: readModelsConfigFrom(v, "The reporter's"),
    catalogueDir: v.BEACON_CATALOGUE_DIR,
    feed: v.KAFKA_BROKERS ? { kind: 'kafka', brokers: v.KAFKA_BROKERS.split(',') } : { kind: 'files', dir: feedDirOf(v) },
    topic: v.BEACON_FEED_TOPIC,
    closeDay: v.BEACON_MONTH_CLOSE_DAY,
    everyMs: v.BEACON_REPORT_EVERY_SECONDS * 1000,
    port: v.BEACON_REPORTER_PORT,
  };
}

export { ConfigError } from '@beacon/config';
