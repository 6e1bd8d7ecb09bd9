import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCatalogue } from '@beacon/catalogue';
import type { EventStore } from '@beacon/event-store';
import { openSqliteEventStore } from '@beacon/event-store-sqlite';
import { tokenFor } from '@beacon/accounts/test-support';
import { createAuth } from '@beacon/http-auth';
import { PerformanceQueries, ProjectionStopped, ReadModels } from '@beacon/read-models';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { catchUp, follow, rebuild } from './projector.js';
import { buildQueryServer } from './server.js';
import { readModelRows } from './test-support/read-model-rows.js';
import { recordCatalogue, sendSacReturns as sendSacReturnsTo } from './test-support/sac-returns.js';

const catalogue = loadCatalogue();
let dir: string;
let store: EventStore;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'beacon-projector-'));
  store = await openSqliteEventStore({ file: join(dir, 'events.sqlite'), pollIntervalMs: 10 });
  await recordCatalogue(store, catalogue);
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const sendSacReturns = () => sendSacReturnsTo(store, catalogue);

describe('the projector', () => {
  it('follows returns as they arrive; a rebuild from zero gives the same read models, row for row', async () => {
    const incremental = new ReadModels(join(dir, 'read-models.sqlite'));
    // Small batches, so the incremental read models are built in many transactions.
    const subscription = await follow(store, incremental, { batchSize: 7 });
    await sendSacReturns();
    const head = await store.headPosition();
    await expect.poll(() => incremental.checkpoint(), { timeout: 5_000 }).toBe(head);
    await subscription.stop();

    const rebuiltFile = join(dir, 'rebuilt.sqlite');
    const progress: bigint[] = [];
    expect(await rebuild(store, { kind: 'sqlite', file: rebuiltFile }, { onProgress: (p) => progress.push(p.position) })).toBe(head);
    expect(progress.at(-1)).toBe(head);
    const rebuilt = new ReadModels(rebuiltFile);
    expect(readModelRows(rebuilt)).toEqual(readModelRows(incremental));
    expect((readModelRows(rebuilt).readings as unknown[]).length).toBe(25);
    rebuilt.close();
    // The same with the log read in a worker thread of its own.
    const threadedFile = join(dir, 'rebuilt-threaded.sqlite');
    expect(await rebuild(store, { kind: 'sqlite', file: threadedFile }, { readerThread: { kind: 'sqlite', file: join(dir, 'events.sqlite') } })).toBe(head);
    const threaded = new ReadModels(threadedFile);
    expect(readModelRows(threaded)).toEqual(readModelRows(incremental));
    threaded.close();
    incremental.close();
  });

  it('leaves the read models as they were when a rebuild stops half-way, in this thread or the reader thread', async () => {
    await sendSacReturns();
    const file = join(dir, 'read-models.sqlite');
    const readModels = new ReadModels(file);
    // Projected part of the way: a rebuild that got as far as it could would change these rows.
    const projected = readModels.project((await store.readAll()).slice(0, 40));
    const before = readModelRows(readModels);
    readModels.close();
    // An event this Beacon cannot read, after everything else: the rebuild stops there.
    await store.append('redactions', [{ id: randomUUID(), type: 'ReadingRedacted', data: {} }]);
    await expect(rebuild(store, { kind: 'sqlite', file })).rejects.toThrow(ProjectionStopped);
    await expect(rebuild(store, { kind: 'sqlite', file }, { readerThread: { kind: 'sqlite', file: join(dir, 'events.sqlite') } })).rejects.toThrow(/ReadingRedacted/);
    const after = new ReadModels(file);
    expect(after.checkpoint()).toBe(projected);
    expect(readModelRows(after)).toEqual(before);
    after.close();
  });

  it('answers the March 2009 summary as the strategy group saw it on 15 April 2009, and after the correction', async () => {
    await sendSacReturns();
    const readModels = new ReadModels(join(dir, 'read-models.sqlite'));
    await catchUp(store, readModels);
    const queries = new PerformanceQueries(readModels.records, catalogue);
    const sac = async (asAt?: string) => (await queries.summary({ area: 'DGCDRP', period: '2009-03', ...(asAt && { asAt }) })).measures.find((m) => m.measureId === 'SAC')!;
    // On 15 April: (1,300 − 105 + 170 + 1,250) / 191,800 × 1,000 = 13.634 per 1,000: Green, within 13.7.
    const then = await sac('2009-04-15');
    expect(then.rolling.value).toBeCloseTo(13.634, 3);
    expect(then.rag.status).toBe('green');
    // Now, after 170 became 105: 13.295.
    expect((await sac()).rolling.value).toBeCloseTo(13.2951, 4);
    // The earlier summary lists the revision, with old and new values.
    expect((await queries.summary({ area: 'DGCDRP', period: '2009-03', asAt: '2009-04-15' })).revisions).toEqual([
      expect.objectContaining({ measureId: 'SAC', area: 'DBC', was: expect.objectContaining({ value: 170 }), now: expect.objectContaining({ value: 105 }) }),
    ]);
    // Dartford alone went from Red (1,365 / 90,900 = 15.02, beyond 14.385) to Amber (14.30): "what changed" says so.
    const changes = await queries.changes({ area: 'DBC', period: '2009-03', from: '2009-04-15', to: '2009-04-30' });
    expect(changes.statusChanges).toContainEqual(expect.objectContaining({ kind: 'measure', id: 'SAC', was: 'red', now: 'amber' }));
    expect(changes.statusChanges).toContainEqual(expect.objectContaining({ kind: 'priority_area', id: 'acquisitive-crime', was: 'red', now: 'amber' }));
    expect(changes.corrections).toHaveLength(1);
    expect(changes.returns.map((r) => r.fileName)).toEqual(['sac-2009-03-corrected.csv']);
    readModels.close();
  });

  it('serves the query API: summary, measure history, what changed; bad parameters named', async () => {
    await sendSacReturns();
    const auth = createAuth({ store, catalogue });
    const viewer = await tokenFor(auth.accounts, 'strategy.group', 'strategy-group-viewer');
    const readModels = new ReadModels(join(dir, 'read-models.sqlite'));
    await catchUp(store, readModels);
    const server = buildQueryServer({
      queries: new PerformanceQueries(readModels.records, catalogue),
      audit: readModels.audit,
      auth,
      health: () => ({ status: 'ok', position: String(readModels.checkpoint()) }),
    });
    const get = (url: string) => server.inject({ method: 'GET', url, headers: { authorization: `Bearer ${viewer}` } });

    const summary = await get('/summary?area=DGCDRP&period=2009-03');
    expect(summary.statusCode).toBe(200);
    expect(summary.json().priorityAreas.find((p: { id: string }) => p.id === 'acquisitive-crime').rollUp.status).toBe('green');

    const history = await get('/measures/SAC/history?area=DBC&from=2008-04&to=2009-03');
    expect(history.statusCode).toBe(200);
    const points = history.json().points;
    expect(points).toHaveLength(12);
    expect(points.at(-1)).toMatchObject({ date: '2009-03-31', status: 'amber', target: 13.7 });
    expect(history.json().latest.provenance.readings).toHaveLength(12);

    const changes = await get('/changes?area=DBC&period=2009-03&from=2009-04-15&to=2009-04-30');
    expect(changes.json().statusChanges.length).toBeGreaterThan(0);

    const bad = await get('/summary?period=March');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toBe('period: write a month as YYYY-MM, e.g. 2009-03');
    const unknownArea = await get('/summary?period=2009-03&area=KENT');
    expect(unknownArea.statusCode).toBe(400);
    expect(unknownArea.json().message).toMatch(/unknown area "KENT": one of DBC, GBC, DGCDRP/);
    expect((await get('/health')).json()).toEqual({ status: 'ok', position: String(readModels.checkpoint()) });
    await server.close();
    readModels.close();
  });
});
