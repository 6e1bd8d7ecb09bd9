/**
 * Moving a partnership from the embedded store to PostgreSQL: the log copied with copyLog, then the
 * read models rebuilt from the copy equal those rebuilt from the original, row for row, and so do
 * the reports made from them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCatalogue } from '@beacon/catalogue';
import { copyLog } from '@beacon/event-store';
import { createTestDatabase, type TestDatabase } from '@beacon/event-store-postgres/test-support';
import { PerformanceQueries, ReadModels } from '@beacon/read-models';
import { openEventStore } from '@beacon/stores';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rebuild } from './projector.js';
import { readModelRows } from './test-support/read-model-rows.js';
import { recordCatalogue, sendSacReturns } from './test-support/sac-returns.js';

const catalogue = loadCatalogue();
let dir: string;
let database: TestDatabase;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'beacon-copy-store-'));
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe('a log copied from SQLite to PostgreSQL', () => {
  it('rebuilds into the same read models and the same reports as the original', async () => {
    const sqliteConfig = { kind: 'sqlite', file: join(dir, 'events.sqlite') } as const;
    const postgresConfig = { kind: 'postgres', url: database.url, schema: 'beacon' } as const;
    const { store: original } = await openEventStore(sqliteConfig);
    await recordCatalogue(original, catalogue);
    await sendSacReturns(original, catalogue);
    const { store: copy } = await openEventStore(postgresConfig);
    const copied = await copyLog(original, copy);
    expect(copied.events).toBe(Number(await original.headPosition()));

    await rebuild(original, { kind: 'sqlite', file: join(dir, 'from-sqlite.sqlite') });
    // The copy is rebuilt with its log read in a worker thread, from the PostgreSQL configuration.
    await rebuild(copy, { kind: 'sqlite', file: join(dir, 'from-postgres.sqlite') }, { readerThread: postgresConfig });
    await original.close();
    await copy.close();

    const fromSqlite = new ReadModels(join(dir, 'from-sqlite.sqlite'));
    const fromPostgres = new ReadModels(join(dir, 'from-postgres.sqlite'));
    expect(readModelRows(fromPostgres)).toEqual(readModelRows(fromSqlite));
    const summary = async (models: ReadModels) => JSON.stringify(await new PerformanceQueries(models.records, catalogue).summary({ area: 'DGCDRP', period: '2009-03', asAt: '2009-04-15' }));
    expect(await summary(fromPostgres)).toBe(await summary(fromSqlite));
    fromSqlite.close();
    fromPostgres.close();
  });
});
