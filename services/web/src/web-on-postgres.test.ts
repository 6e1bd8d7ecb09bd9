/**
 * The dashboard over read models in PostgreSQL (a deployment on one database): every page a
 * viewer and an analyst read is the same page, byte for byte, as over the embedded SQLite ones.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tokenFor } from '@beacon/accounts/test-support';
import { loadCatalogue } from '@beacon/catalogue';
import type { EventStore } from '@beacon/event-store';
import { createTestDatabase, type TestDatabase } from '@beacon/event-store-postgres/test-support';
import { openSqliteEventStore } from '@beacon/event-store-sqlite';
import { createAuth } from '@beacon/http-auth';
import { catchUp } from '@beacon/projector-service';
import { recordCatalogue, sendSacReturns } from '@beacon/projector-service/test-support';
import { type OpenedReadModels, openReadModels } from '@beacon/stores';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWebApp } from './app.js';

const catalogue = loadCatalogue();
let dir: string;
let database: TestDatabase;
let store: EventStore;
const opened: OpenedReadModels[] = [];
const apps: { sqlite: FastifyInstance; postgres: FastifyInstance } = {} as never;
let viewer: string;
let analyst: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'beacon-web-pg-'));
  database = await createTestDatabase();
  store = await openSqliteEventStore({ file: join(dir, 'events.sqlite') });
  await recordCatalogue(store, catalogue);
  await sendSacReturns(store, catalogue);
  const auth = createAuth({ store, catalogue });
  viewer = await tokenFor(auth.accounts, 'sg.viewer', 'strategy-group-viewer');
  analyst = await tokenFor(auth.accounts, 'an.analyst', 'analyst');
  for (const kind of ['sqlite', 'postgres'] as const) {
    const readModels = await openReadModels(kind === 'sqlite' ? { kind, file: join(dir, 'read-models.sqlite') } : { kind, url: database.url, schema: 'beacon_records' });
    opened.push(readModels);
    await catchUp(store, readModels.keeper);
    apps[kind] = buildWebApp({ store, catalogue, auth, records: readModels.records, audit: readModels.audit, bringUpToDate: () => catchUp(store, readModels.keeper) });
  }
});

afterAll(async () => {
  for (const app of Object.values(apps)) await app.close();
  for (const readModels of opened) await readModels.close();
  await store.close();
  await database.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe('the dashboard over read models in PostgreSQL', () => {
  const pages = [
    '/?area=DGCDRP&period=2009-03',
    '/?area=DBC&period=2009-03&asAt=2009-04-15',
    '/measures/SAC?area=DBC&period=2009-03',
    '/measures/SAC?area=DGCDRP&period=2009-03&asAt=2009-04-15',
    '/changes?area=DBC&period=2009-03&from=2009-04-15&to=2009-04-30',
    '/report?area=DGCDRP&period=2009-03',
    '/export/summary.csv?area=DGCDRP&period=2009-03',
    '/export/measures/SAC.csv?area=DBC&period=2009-03',
  ];

  it.each(pages)('serves %s as over SQLite, byte for byte', async (url) => {
    const [fromSqlite, fromPostgres] = await Promise.all(
      [apps.sqlite, apps.postgres].map((app) => app.inject({ url, headers: { authorization: `Bearer ${viewer}` } })),
    );
    expect(fromPostgres?.statusCode).toBe(200);
    expect(fromPostgres?.body).toBe(fromSqlite?.body);
  });

  it('shows Dartford in March 2009 as the strategy group saw it on 15 April: Red at 15 per 1,000, its interval clear of 13.7', async () => {
    const page = await apps.postgres.inject({ url: '/measures/SAC?area=DBC&period=2009-03&asAt=2009-04-15', headers: { authorization: `Bearer ${viewer}` } });
    // 1,365 / 90,900 × 1,000 = 15.0165 per 1,000, shown to two significant figures.
    expect(page.body).toContain('15 per 1,000 in Mar 2009, ✖ RED');
    expect(page.body).toContain('excludes 13.7 per 1,000');
  });

  it('serves the targets and audit pages to an analyst as over SQLite', async () => {
    for (const url of ['/targets', '/audit?measure=SAC', '/audit.csv?kind=correction']) {
      const [fromSqlite, fromPostgres] = await Promise.all(
        [apps.sqlite, apps.postgres].map((app) => app.inject({ url, headers: { authorization: `Bearer ${analyst}` } })),
      );
      expect(fromPostgres?.statusCode).toBe(200);
      expect(fromPostgres?.body).toBe(fromSqlite?.body);
    }
    const corrections = await apps.postgres.inject({ url: '/audit.csv?kind=correction', headers: { authorization: `Bearer ${analyst}` } });
    expect(corrections.body.split('\r\n').filter((line) => line.includes(',correction,'))).toHaveLength(1);
  });
});
