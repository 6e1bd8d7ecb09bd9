import { createHash } from 'node:crypto';
import { readModelsWhere } from '@beacon/config';
import { addressOf, connectionProblem, quoted } from '@beacon/event-store-postgres';
import { ReadModelsNotUsable } from '@beacon/read-models';
import pg from 'pg';
import { checkDroppable, checkedReadModelsSchema, prepareSchema } from './schema.js';

export interface PostgresReadModelsOptions {
  /** postgres://user:password@host:port/database (PG* environment variables fill in what it leaves out). */
  url: string;
  /** The schema holding the read models (e.g. beacon_records), created when missing. */
  schema: string;
}

/** Positions come back as bigints, as the checkpoint is handed out; float8 and int4 are numbers already. */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8 ? BigInt : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/** For messages, as the configuration describes them everywhere: never the password. */
export const locationOf = (url: string, schema: string) => readModelsWhere({ kind: 'postgres', url, schema });

/** Read models a rebuild is to replace. */
export interface Original {
  schema: string;
  location: string;
}

/**
 * A pool on `url` with `schema` made Beacon's read models at the latest version (see
 * prepareSchema). For a rebuild of `rebuildOf`, the schema is dropped first, so the rebuild starts
 * from nothing; both must be droppable (see checkDroppable).
 */
export async function openPool(
  { url, schema }: PostgresReadModelsOptions,
  { max = 10, rebuildOf, settings }: { max?: number; rebuildOf?: Original; settings?: string } = {},
): Promise<{ pool: pg.Pool; location: string }> {
  checkedReadModelsSchema(schema);
  const location = locationOf(url, schema);
  const pool = new pg.Pool({
    connectionString: url,
    connectionTimeoutMillis: 10_000,
    application_name: 'beacon-read-models',
    types,
    max,
    ...(settings && { options: settings }),
  });
  // An idle connection that breaks (say, the server restarts) is dropped; the next query reconnects.
  pool.on('error', () => {});
  try {
    const client = await pool.connect().catch((error: Error) => {
      const problem = connectionProblem(error, addressOf(url));
      throw problem === undefined ? error : Object.assign(new ReadModelsNotUsable(location, problem), { cause: error });
    });
    try {
      const encoding = (await client.query('SHOW server_encoding')).rows[0]?.server_encoding;
      if (encoding !== 'UTF8') {
        throw new ReadModelsNotUsable(location, `the database's encoding is ${encoding}, not UTF8, so it cannot hold every record. Create the database with ENCODING 'UTF8'.`);
      }
      if (rebuildOf) {
        // The original's outbox moves into the rebuilt schema at the end; one where the rebuild goes would be lost.
        await checkDroppable(client, rebuildOf.schema, rebuildOf.location, 'allowed');
        await checkDroppable(client, schema, location, 'refused');
        await client.query(`DROP SCHEMA IF EXISTS ${quoted(schema)} CASCADE`);
      }
      await prepareSchema(client, schema, location);
      client.release();
    } catch (error) {
      client.release(true);
      throw error;
    }
  } catch (error) {
    await pool.end();
    throw error;
  }
  return { pool, location };
}

const ending = new WeakMap<pg.Pool, Promise<void>>();

/** Ends a pool once, however many of the keeper, records and audit trail sharing it are closed. */
export function endPool(pool: pg.Pool): Promise<void> {
  let ended = ending.get(pool);
  if (!ended) {
    ended = pool.end();
    ending.set(pool, ended);
  }
  return ended;
}

/**
 * A named statement is parsed and planned once per connection; the schema is part of its name.
 * Hashed, so the name stays within PostgreSQL's 63 bytes whatever the schema's (longer ones are cut).
 */
export const statementName = (schema: string, name: string) => `beacon_${name}_${createHash('sha256').update(schema).digest('hex').slice(0, 12)}`;
