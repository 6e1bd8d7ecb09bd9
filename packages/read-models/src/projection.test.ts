import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCatalogue } from '@beacon/catalogue';
import type { EventStore, StoredEvent } from '@beacon/event-store';
import { openSqliteEventStore } from '@beacon/event-store-sqlite';
import { catalogueRecords, toEventToAppend } from '@beacon/events';
import { ingestReturn, keepReadingsOnRecord } from '@beacon/return-intake';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProjectionStopped, ReadModels } from './projection.js';

const catalogue = loadCatalogue();
const officer = { kind: 'person', id: 'j.smith', name: 'J Smith', agency: 'north-kent-police' } as const;
const header = 'measure,area,period_start,period_end,value,numerator,denominator,sample_size,note\n';

let dir: string;
let store: EventStore;
let readModels: ReadModels;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'beacon-read-models-'));
  store = await openSqliteEventStore({ file: join(dir, 'events.sqlite') });
  readModels = new ReadModels(join(dir, 'read-models.sqlite'));
});
afterEach(async () => {
  readModels.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Given: a return sent through the real ingest, received at `receivedAt`. */
async function given(csv: string, receivedAt: string, fileName = 'return.csv') {
  const onRecord = keepReadingsOnRecord(store);
  const outcome = await ingestReturn(
    { source: { bytes: new TextEncoder().encode(header + csv) }, fileName, agency: 'north-kent-police', submitter: officer, receivedAt },
    { store, catalogue, readingsOnRecord: onRecord },
  );
  expect(outcome.status).toBe('accepted');
  return outcome;
}

const everything = () => store.readAll();

describe('projecting the log into records (given events, then state)', () => {
  it('records each reading with its provenance, and the return it came in', async () => {
    await given('SAC,DBC,01/03/2009,31/03/2009,170,,,,\nSAC,GBC,01/03/2009,31/03/2009,105,,,,\n', '2009-04-09T09:45:00Z', 'march.csv');
    const events = await everything();
    expect(readModels.project(events)).toBe(events.at(-1)!.position);

    const records = readModels.records;
    const readings = records.readings('SAC', 'DBC', { start: '2009-03-01', end: '2009-03-31' });
    expect(readings).toEqual([
      expect.objectContaining({ value: 170, area: 'DBC', row: 2, agency: 'north-kent-police', recordedAt: '2009-04-09T09:45:00.000Z', period: { start: '2009-03-01', end: '2009-03-31' } }),
    ]);
    expect(records.returnsBetween('2009-01-01T00:00:00.000Z', '2009-12-31T00:00:00.000Z')).toEqual([
      expect.objectContaining({ agency: 'north-kent-police', submitter: 'J Smith', fileName: 'march.csv', readingCount: 2 }),
    ]);
  });

  it('is idempotent: the same events delivered twice change nothing', async () => {
    await given('SAC,DBC,01/03/2009,31/03/2009,170,,,,\n', '2009-04-09T09:45:00Z');
    const events = await everything();
    readModels.project(events);
    const before = readModels.db.prepare('SELECT * FROM readings').all();
    readModels.project(events);
    readModels.project(events.slice(1));
    expect(readModels.db.prepare('SELECT * FROM readings').all()).toEqual(before);
    expect(readModels.checkpoint()).toBe(events.at(-1)!.position);
  });

  it('a correction supersedes the earlier reading, which stays in history: "as at" before it sees the old value', async () => {
    await given('SAC,DBC,01/03/2009,31/03/2009,170,,,,\n', '2009-04-09T09:45:00Z', 'march.csv');
    await given('SAC,DBC,01/03/2009,31/03/2009,118,,,,\n', '2009-04-20T11:15:00Z', 'march-corrected.csv');
    readModels.project(await everything());

    const records = readModels.records;
    const march = { start: '2009-03-01', end: '2009-03-31' };
    expect(records.readings('SAC', 'DBC', march).map((r) => r.value)).toEqual([118]);
    expect(records.readings('SAC', 'DBC', march, '2009-04-15T00:00:00.000Z').map((r) => r.value)).toEqual([170]);
    expect(records.readings('SAC', 'DBC', march, '2009-04-01T00:00:00.000Z')).toEqual([]);
    expect(readModels.db.prepare('SELECT count(*) FROM readings').pluck().get()).toBe(2);
    // The revision to what a report as at 15 April showed: 170 became 118 on 20 April.
    expect(records.correctionsBetween('2009-04-15T00:00:00.000Z', '9999-12-31T00:00:00.000Z', '2009-04-15T00:00:00.000Z')).toEqual([
      expect.objectContaining({ measureId: 'SAC', area: 'DBC', was: expect.objectContaining({ value: 170 }), now: expect.objectContaining({ value: 118 }), correctedAt: '2009-04-20T11:15:00.000Z' }),
    ]);
  });

  it('records targets and populations with when they were recorded, so reports before then do not see them', async () => {
    for (const record of catalogueRecords(catalogue)) await store.append(record.stream, [toEventToAppend(record.event, record.id)]);
    readModels.project(await everything());
    const records = readModels.records;
    expect(records.targets().find((t) => t.id === 'SAC-2008-09')).toMatchObject({ measureId: 'SAC', area: 'DGCDRP', kind: 'value', value: 13.7, version: 1 });
    expect(records.targets('2008-03-31T00:00:00.000Z')).toEqual([]);
    expect(records.populations().filter((p) => p.base === 'all_ages').map((p) => [p.area, p.year, p.value])).toEqual([
      ['DBC', 2008, 90_900],
      ['GBC', 2008, 100_900],
    ]);
  });
});

describe('what the log holds, counted as it is projected (given events, then state)', () => {
  const holdingsOf = (events: readonly StoredEvent[]) => {
    const byType = new Map<string, number>();
    for (const event of events) byType.set(event.type, (byType.get(event.type) ?? 0) + 1);
    return { events: events.length, streams: new Set(events.map((e) => e.stream)).size, byType };
  };

  it('holds nothing before any event', () => {
    expect(readModels.records.holdings()).toEqual({ events: 0, streams: 0, byType: new Map() });
  });

  it('counts each event once by type, in the order types were first seen, and each stream once', async () => {
    for (const record of catalogueRecords(catalogue).slice(0, 3)) await store.append(record.stream, [toEventToAppend(record.event, record.id)]);
    await given('SAC,DBC,01/03/2009,31/03/2009,170,,,,\nSAC,GBC,01/03/2009,31/03/2009,105,,,,\n', '2009-04-09T09:45:00Z', 'march.csv');
    await given('SAC,DBC,01/03/2009,31/03/2009,118,,,,\n', '2009-04-20T11:15:00Z', 'march-corrected.csv');
    const events = await everything();
    readModels.project(events.slice(0, 4));
    readModels.project(events.slice(4));

    const holdings = readModels.records.holdings();
    expect(holdings).toEqual(holdingsOf(events));
    expect([...holdings.byType.keys()]).toEqual([...new Set(events.map((e) => e.type))]);
    expect(holdings.byType.get('ReadingRecorded')).toBe(3);
    expect(holdings.byType.get('ReadingSuperseded')).toBe(1);
    expect(holdings.streams).toBeLessThan(holdings.events);
  });

  it('counts nothing twice when a batch is delivered twice, or again in part', async () => {
    await given('SAC,DBC,01/03/2009,31/03/2009,170,,,,\nSAC,GBC,01/03/2009,31/03/2009,105,,,,\n', '2009-04-09T09:45:00Z');
    const events = await everything();
    readModels.project(events);
    const before = readModels.records.holdings();
    readModels.project(events);
    readModels.project(events.slice(1));
    expect(readModels.records.holdings()).toEqual(before);
    expect(before).toEqual(holdingsOf(events));
  });

  it('are counted in read models made before they were kept: the upgrade empties them, and the next catch-up projects the whole log again', async () => {
    await given('SAC,DBC,01/03/2009,31/03/2009,170,,,,\nSAC,GBC,01/03/2009,31/03/2009,105,,,,\n', '2009-04-09T09:45:00Z');
    const events = await everything();
    readModels.project(events);
    const rows = readModels.db.prepare('SELECT * FROM readings ORDER BY position').all();
    // As a file made by the Beacon before holdings were kept (schema 3) would be.
    readModels.db.exec('DROP TABLE log_types; DROP TABLE log_streams; PRAGMA user_version = 3');
    readModels.close();
    readModels = new ReadModels(join(dir, 'read-models.sqlite'));
    expect(readModels.checkpoint()).toBe(0n);
    readModels.project(events);
    expect(readModels.records.holdings()).toEqual(holdingsOf(events));
    expect(readModels.db.prepare('SELECT * FROM readings ORDER BY position').all()).toEqual(rows);
  });

  it('counts the events before one that stops the projection, and not that one', async () => {
    await given('SAC,DBC,01/03/2009,31/03/2009,170,,,,\n', '2009-04-09T09:45:00Z');
    const events = await everything();
    const [final] = events.slice(-1) as [StoredEvent];
    const stranger: StoredEvent = { ...final, position: final.position + 1n, stream: 'return-from-the-future', type: 'ReadingRedacted', data: {} };
    expect(() => readModels.project([...events, stranger])).toThrow(ProjectionStopped);
    const holdings = readModels.records.holdings();
    expect(holdings).toEqual(holdingsOf(events));
    expect(holdings.byType.has('ReadingRedacted')).toBe(false);
    // Delivered again: still stopped there, still nothing counted twice.
    expect(() => readModels.project([...events, stranger])).toThrow(ProjectionStopped);
    expect(readModels.records.holdings()).toEqual(holdingsOf(events));
  });
});

describe('an event the projector cannot understand', () => {
  const stranger = (position: bigint, type: string, schemaVersion: number): StoredEvent => ({
    id: '00000000-0000-4000-8000-000000000000',
    stream: 'return-from-the-future',
    revision: 0n,
    position,
    type,
    data: {},
    metadata: { schemaVersion },
    storedAt: '2026-01-01T00:00:00.000Z',
  });

  it('stops the projector, naming the event and its position; what came before is kept', async () => {
    await given('SAC,DBC,01/03/2009,31/03/2009,170,,,,\n', '2009-04-09T09:45:00Z');
    const events = await everything();
    const last = events.at(-1)!.position;
    const attempt = () => readModels.project([...events, stranger(last + 1n, 'ReadingRedacted', 1)]);
    expect(attempt).toThrow(ProjectionStopped);
    expect(attempt).toThrow(`The projector stopped at event ReadingRedacted (position ${last + 1n}, stream "return-from-the-future")`);
    expect(readModels.checkpoint()).toBe(last);
    expect(readModels.db.prepare('SELECT count(*) FROM readings').pluck().get()).toBe(1);
  });

  it('stops on a newer schema version of a known event, and says to upgrade', () => {
    expect(() => readModels.project([stranger(1n, 'ReadingRecorded', 9)])).toThrow(/schema version 9 is newer than this Beacon knows \(1\); upgrade Beacon/);
    expect(readModels.checkpoint()).toBe(0n);
  });
});
