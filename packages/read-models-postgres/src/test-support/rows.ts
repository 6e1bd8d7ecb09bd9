import type { ReadModels } from '@beacon/read-models';
import pg from 'pg';

/** The tables the projector writes: what "identical, row for row" compares. */
const projectedTables = { checkpoint: 'projection', returns: 'position', readings: 'position', targets: 'position', populations: 'position', audit_trail: 'position', log_types: 'first_position', log_streams: 'stream' };

type Rows = Record<string, Record<string, unknown>[]>;

/** Every row of every projected table of SQLite read models, in log order. */
export const sqliteRows = (readModels: ReadModels): Rows =>
  Object.fromEntries(
    Object.entries(projectedTables).map(([table, order]) => [table, readModels.db.prepare(`SELECT * FROM ${table} ORDER BY ${order}`).all() as Record<string, unknown>[]]),
  );

/** The same of PostgreSQL read models in `schema`, in the same shape: positions and populations as numbers, as SQLite gives them. */
export async function postgresRows(url: string, schema: string): Promise<Rows> {
  const client = new pg.Client({
    connectionString: url,
    types: { getTypeParser: ((oid: number, format?: 'text' | 'binary') => (oid === pg.types.builtins.INT8 ? Number : pg.types.getTypeParser(oid, format))) as typeof pg.types.getTypeParser },
  });
  await client.connect();
  try {
    const rows: Rows = {};
    for (const [table, order] of Object.entries(projectedTables)) rows[table] = (await client.query(`SELECT * FROM "${schema}".${table} ORDER BY ${order}`)).rows;
    return rows;
  } finally {
    await client.end();
  }
}
