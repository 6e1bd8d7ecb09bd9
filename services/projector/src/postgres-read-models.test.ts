/**
 * The read models in PostgreSQL, as a deployment on one database keeps them: followed, queried
 * and rebuilt there, they give the same reports as the embedded SQLite ones, byte for byte.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tokenFor } from '@beacon/accounts/test-support';
import { loadCatalogue } from '@beacon/catalogue';
import type { ReadModelsConfig } from '@beacon/config';
import type { EventStore } from '@beacon/event-store';
import { createTestDatabase, type TestDatabase } from '@beacon/event-store-postgres/test-support';
import { openSqliteEventStore } from '@beacon/event-store-sqlite';
import { createAuth } from '@beacon/http-auth';
import { PerformanceQueries } from '@beacon/read-models';
import { type OpenedReadModels, openReadModels } from '@beacon/stores';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { catchUp, follow, rebuild } from './projector.js';
import { buildQueryServer } from './server.js';
import { recordCatalogue, sendSacReturns } from './test-support/sac-returns.js';

const catalogue = loadCatalogue();
let database: TestDatabase;
let dir: string;
let store: EventStore;
const opened: OpenedReadModels[] = [];

const open = async (config: ReadModelsConfig) => {
  const readModels = await openReadModels(config);
  opened.push(readModels);
  return readModels;
};
const postgres = (schema = 'beacon_records'): ReadModelsConfig => ({ kind: 'postgres', url: database.url, schema });

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'beacon-pg-read-models-'));
  store = await openSqliteEventStore({ file: join(dir, 'events.sqlite'), pollIntervalMs: 10 });
  await recordCatalogue(store, catalogue);
});
afterEach(async () => {
  for (const readModels of opened.splice(0)) await readModels.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Every report the dashboard and the feed make for March 2009, as JSON: what "the same reports" compares. */
async function reports(readModels: OpenedReadModels): Promise<string[]> {
  const queries = new PerformanceQueries(readModels.records, catalogue);
  const answers: unknown[] = [];
  for (const area of ['DGCDRP', 'DBC', 'GBC']) {
    for (const asAt of [undefined, '2009-04-15', '2009-04-09T09:45:00Z', '2008-12-31']) {
      answers.push(await queries.summary({ area, period: '2009-03', ...(asAt && { asAt }) }));
      answers.push(await queries.history({ measureId: 'SAC', area, from: '2008-04', to: '2009-03', ...(asAt && { asAt }) }));
    }
    answers.push(await queries.changes({ area, period: '2009-03', from: '2009-04-15', to: '2009-04-30' }));
  }
  answers.push(await readModels.records.span(), await readModels.records.lastRecordedAt(), await readModels.audit.entries());
  return answers.map((answer) => JSON.stringify(answer));
}

describe('read models in PostgreSQL', () => {
  it('follow the log and give the same reports as SQLite, byte for byte', async () => {
    const inSqlite = await open({ kind: 'sqlite', file: join(dir, 'read-models.sqlite') });
    const inPostgres = await open(postgres());
    // Small batches: many transactions, corrections meeting the readings they replace across batches.
    const subscription = await follow(store, inPostgres.keeper, { batchSize: 7 });
    await sendSacReturns(store, catalogue);
    const head = await store.headPosition();
    await expect.poll(() => inPostgres.keeper.checkpoint(), { timeout: 10_000 }).toBe(head);
    await subscription.stop();
    await catchUp(store, inSqlite.keeper);

    const fromPostgres = await reports(inPostgres);
    expect(fromPostgres).toEqual(await reports(inSqlite));
    // Worked by hand (sac-returns.ts): after the correction, 2,550 / 191,800 × 1,000 = 13.295 per 1,000.
    const summary = await new PerformanceQueries(inPostgres.records, catalogue).summary({ area: 'DGCDRP', period: '2009-03' });
    expect(summary.measures.find((m) => m.measureId === 'SAC')?.rolling.value).toBeCloseTo(13.2951, 4);
  });

  it('rebuild into a fresh schema, with the log read in a worker thread, to the same reports', async () => {
    await sendSacReturns(store, catalogue);
    const followed = await open(postgres('followed_records'));
    await catchUp(store, followed.keeper);
    const head = await store.headPosition();
    expect(await rebuild(store, postgres(), { readerThread: { kind: 'sqlite', file: join(dir, 'events.sqlite') } })).toBe(head);
    const rebuilt = await open(postgres());
    expect(await rebuilt.keeper.checkpoint()).toBe(head);
    expect(await reports(rebuilt)).toEqual(await reports(followed));
    // Rebuilt again (in this thread) over the first rebuild: the same again.
    expect(await rebuild(store, postgres())).toBe(head);
    expect(await reports(rebuilt)).toEqual(await reports(followed));
  });

  it('serve the query API', async () => {
    await sendSacReturns(store, catalogue);
    const readModels = await open(postgres('served_records'));
    const projected = await catchUp(store, readModels.keeper);
    const auth = createAuth({ store, catalogue });
    const viewer = await tokenFor(auth.accounts, 'strategy.group', 'strategy-group-viewer');
    const analyst = await tokenFor(auth.accounts, 'an.analyst', 'analyst');
    const server = buildQueryServer({
      queries: new PerformanceQueries(readModels.records, catalogue),
      audit: readModels.audit,
      auth,
      health: async () => ({ status: 'ok', position: String(await readModels.keeper.checkpoint()) }),
    });
    const get = (url: string, token = viewer) => server.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
    const summary = await get('/summary?area=DBC&period=2009-03&asAt=2009-04-15');
    expect(summary.statusCode).toBe(200);
    // Dartford as at 15 April: 1,365 / 90,900 = 15.02 per 1,000, Red; the later correction listed as a revision.
    const sac = summary.json().measures.find((m: { measureId: string }) => m.measureId === 'SAC');
    expect(sac.rolling.value).toBeCloseTo(15.0165, 4);
    expect(sac.rag.status).toBe('red');
    expect(summary.json().revisions).toEqual([expect.objectContaining({ measureId: 'SAC', area: 'DBC', was: expect.objectContaining({ value: 170 }), now: expect.objectContaining({ value: 105 }) })]);
    const audit = await get('/audit?measure=SAC&kind=correction', analyst);
    expect(audit.statusCode).toBe(200);
    expect(audit.json().entries.map((e: { was: number; now: number }) => [e.was, e.now])).toEqual([[170, 105]]);
    // The viewer's and analyst's accounts came after: not projected here.
    expect((await get('/health')).json()).toEqual({ status: 'ok', position: String(projected) });
    await server.close();
  });
});
