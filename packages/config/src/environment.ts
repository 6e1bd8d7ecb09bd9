import { join } from 'node:path';
import { z } from 'zod';

/**
 * Where Beacon keeps its events and reads its catalogue: the same variables for every service,
 * so the `beacon` command and the servers open the same store. The embedded default needs none.
 */
export const storeVariables = {
  BEACON_HOME: z.string().min(1).default('var'),
  BEACON_STORE: z.enum(['sqlite']).default('sqlite'),
  BEACON_SQLITE_FILE: z.string().min(1).optional(),
  BEACON_CATALOGUE_DIR: z.string().min(1).optional(),
};

/**
 * The store variables with every store Beacon has: a service that opens its store with
 * `openEventStore` (@beacon/stores) spreads these instead of `storeVariables`, which accepts only
 * the embedded SQLite store (a service still on it refuses BEACON_STORE=postgres rather than
 * opening SQLite). Read them with `storeConfigFrom`, which checks the settings the store needs.
 */
export const eventStoreVariables = {
  ...storeVariables,
  BEACON_STORE: z
    .enum(['sqlite', 'postgres', 'eventstoredb'], { error: 'must be sqlite (the default), postgres or eventstoredb' })
    .default('sqlite'),
  BEACON_POSTGRES_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\/\S+$/, { error: 'must be a PostgreSQL connection URL, e.g. postgres://beacon:password@db.example.org:5432/beacon' })
    .optional(),
  BEACON_POSTGRES_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,39}$/, { error: 'must be 1 to 40 lower-case letters, digits or underscores (default beacon)' })
    .default('beacon'),
  EVENTSTORE_URL: z
    .string()
    .regex(/^(esdb|esdb\+discover|kurrentdb|kurrentdb\+discover):\/\/\S+$/, { error: 'must be an EventStoreDB connection string, e.g. esdb://localhost:2113?tls=false' })
    .optional(),
};

/**
 * Where the projector keeps the read models (and the reporter its feed outbox). With the store on
 * PostgreSQL they go in the same database by default, in a schema of their own, so a deployment
 * needs one database; BEACON_READ_MODELS=sqlite keeps them in a local file instead.
 */
export const readModelsVariables = {
  BEACON_READ_MODELS: z.enum(['sqlite', 'postgres'], { error: 'must be sqlite or postgres (default: postgres when BEACON_STORE=postgres, else sqlite)' }).optional(),
  BEACON_READ_MODELS_FILE: z.string().min(1).optional(),
  BEACON_READ_MODELS_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,39}$/, { error: 'must be 1 to 40 lower-case letters, digits or underscores (default: the store schema and _records, e.g. beacon_records)' })
    .optional(),
};

/** Where the read models are, as `openReadModels` (@beacon/stores) takes it. */
export type ReadModelsConfig = { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string; schema: string };

type ReadModelsVariables = z.infer<z.ZodObject<typeof readModelsVariables>> & Pick<EventStoreVariables, 'BEACON_HOME' | 'BEACON_STORE' | 'BEACON_POSTGRES_URL' | 'BEACON_POSTGRES_SCHEMA'>;

/** The read models the variables choose; ConfigError names a missing setting. */
export function readModelsConfigFrom(variables: ReadModelsVariables, whose: string): ReadModelsConfig {
  const kind = variables.BEACON_READ_MODELS ?? (variables.BEACON_STORE === 'postgres' ? 'postgres' : 'sqlite');
  if (kind === 'sqlite') return { kind, file: variables.BEACON_READ_MODELS_FILE ?? join(variables.BEACON_HOME, 'read-models.sqlite') };
  if (!variables.BEACON_POSTGRES_URL) {
    throw new ConfigError(
      `${whose} configuration is not valid:\n  BEACON_POSTGRES_URL is not set: read models in PostgreSQL (BEACON_READ_MODELS=postgres) need the database's URL, e.g. postgres://beacon:password@db.example.org:5432/beacon`,
    );
  }
  return { kind, url: variables.BEACON_POSTGRES_URL, schema: variables.BEACON_READ_MODELS_SCHEMA ?? `${variables.BEACON_POSTGRES_SCHEMA}_records` };
}

/** Where the read models are, in words for messages (never a password). */
export const readModelsWhere = (config: ReadModelsConfig) =>
  config.kind === 'sqlite' ? `SQLite file ${config.file}` : `schema "${config.schema}" of ${withoutPassword(config.url)}`;

/** Where the event log is, as `openEventStore` (@beacon/stores) takes it. */
export type StoreConfig =
  | { kind: 'sqlite'; file: string }
  | { kind: 'postgres'; url: string; schema: string }
  | { kind: 'eventstoredb'; url: string };

type EventStoreVariables = z.infer<z.ZodObject<typeof eventStoreVariables>>;

/** The store the variables choose, with the settings it needs; ConfigError names a missing one. */
export function storeConfigFrom(variables: EventStoreVariables, whose: string): StoreConfig {
  switch (variables.BEACON_STORE) {
    case 'sqlite':
      return { kind: 'sqlite', file: sqliteFileOf(variables) };
    case 'postgres':
      if (!variables.BEACON_POSTGRES_URL) {
        throw new ConfigError(
          `${whose} configuration is not valid:\n  BEACON_POSTGRES_URL is not set: BEACON_STORE=postgres needs the database's URL, e.g. postgres://beacon:password@db.example.org:5432/beacon`,
        );
      }
      return { kind: 'postgres', url: variables.BEACON_POSTGRES_URL, schema: variables.BEACON_POSTGRES_SCHEMA };
    case 'eventstoredb':
      if (!variables.EVENTSTORE_URL) {
        throw new ConfigError(
          `${whose} configuration is not valid:\n  EVENTSTORE_URL is not set: BEACON_STORE=eventstoredb needs the server's connection string, e.g. esdb://localhost:2113?tls=false`,
        );
      }
      return { kind: 'eventstoredb', url: variables.EVENTSTORE_URL };
  }
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Validates the environment against a service's variables; every bad one is named with its value and what it may be. */
export function readEnvironment<Shape extends z.ZodRawShape>(variables: Shape, env: NodeJS.ProcessEnv, whose: string): z.infer<z.ZodObject<Shape>> {
  const parsed = z.object(variables).safeParse(env);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const name = String(issue.path[0]);
    return `  ${name}=${JSON.stringify(env[name] === undefined ? undefined : withoutPassword(env[name]))}: ${issue.message}`;
  });
  throw new ConfigError(`${whose} configuration is not valid:\n${problems.join('\n')}`);
}

/** The SQLite event store's file: BEACON_SQLITE_FILE, or events.sqlite in BEACON_HOME. */
export const sqliteFileOf = (env: { BEACON_HOME: string; BEACON_SQLITE_FILE?: string | undefined }) => env.BEACON_SQLITE_FILE ?? join(env.BEACON_HOME, 'events.sqlite');

/** A connection URL's password stays out of messages. */
export const withoutPassword = (url: string) => url.replace(/(\/\/[^:@/\s]*):[^@/\s]*@/, '$1:***@');
