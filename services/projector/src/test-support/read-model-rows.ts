import type { ReadModels } from '@beacon/read-models';

/** The tables the projector writes: what "identical, row for row" compares. */
export const projectedTables = ['checkpoint', 'returns', 'readings', 'targets', 'populations', 'audit_trail', 'log_types', 'log_streams'] as const;

/** Every row of every projected table, as JSON in a stable order, for comparing two sets of read models. */
export const readModelRows = (readModels: ReadModels) =>
  Object.fromEntries(projectedTables.map((table) => [table, readModels.db.prepare(`SELECT * FROM ${table}`).all().map((row) => JSON.stringify(row)).sort()]));
