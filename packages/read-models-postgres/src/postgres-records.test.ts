import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Period } from '@beacon/catalogue';
import { createTestDatabase, type TestDatabase } from '@beacon/event-store-postgres/test-support';
import { type AuditFilter, auditKinds, END_OF_TIME, ReadModels, type ReportScope } from '@beacon/read-models';
import type { RecordsAsAt } from '@beacon/reports';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresReadModels } from './index.js';
import { batchesOf, catalogue, eventLog } from './test-support/event-log.js';

let database: TestDatabase;
let dir: string;
let sqlite: ReadModels;
let postgres: Awaited<ReturnType<typeof openPostgresReadModels>>;

beforeAll(async () => {
  database = await createTestDatabase();
  dir = mkdtempSync(join(tmpdir(), 'beacon-read-models-postgres-'));
  const events = await eventLog();
  sqlite = new ReadModels(join(dir, 'read-models.sqlite'));
  postgres = await openPostgresReadModels({ url: database.url, schema: 'beacon_records' });
  for (const batch of batchesOf(events, 1_000)) {
    sqlite.project(batch);
    await postgres.keeper.project(batch);
  }
});
afterAll(async () => {
  sqlite?.close();
  await postgres?.close();
  await database?.drop();
  rmSync(dir, { recursive: true, force: true });
});

/** Moments either side of and exactly at what the log records, and none (everything). */
const moments = [
  undefined,
  '2007-01-01T00:00:00.000Z',
  '2008-06-30T00:00:00.000Z',
  '2009-04-15T23:59:59.999Z',
  '2009-04-20T11:15:00.000Z',
  '2009-05-02T08:00:00.000Z',
  '2009-05-03T07:00:00.500Z',
  '2010-12-31T23:59:59.999Z',
];

const scope: ReportScope = { measureIds: catalogue.measures.map((m) => m.id), areas: ['DBC', 'GBC', 'DGCDRP'] };

const lastDay = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).toISOString().slice(0, 10);
const pad = (n: number) => String(n).padStart(2, '0');
/** Each month, quarter and year from April 2008 to March 2011, and one window over all of them and more. */
const windows: Period[] = [{ start: '2005-01-01', end: '2012-12-31' }];
for (let year = 2008; year <= 2010; year++) {
  windows.push({ start: `${year}-04-01`, end: `${year + 1}-03-31` });
  for (let m = 0; m < 12; m++) {
    const month = ((3 + m) % 12) + 1;
    const y = month < 4 ? year + 1 : year;
    windows.push({ start: `${y}-${pad(month)}-01`, end: lastDay(y, month) });
    if (m % 3 === 0) {
      const last = ((month + 1) % 12) + 1;
      windows.push({ start: `${y}-${pad(month)}-01`, end: lastDay(last < month ? y + 1 : y, last) });
    }
  }
}

/** Every reading a report on the scope could ask for, by measure, area and window. */
function everyReading(records: RecordsAsAt): Record<string, unknown> {
  const answers: Record<string, unknown> = {};
  for (const measureId of scope.measureIds) {
    for (const area of scope.areas) {
      for (const window of windows) answers[`${measureId} ${area} ${window.start}..${window.end}`] = records.readings(measureId, area, window);
    }
  }
  return answers;
}

describe('PostgreSQL records answer as SQLite Records do', () => {
  it.each(moments)('as at %s: every reading of the scope over every window, the targets and the populations', async (asAt) => {
    const expected = sqlite.records.asAt(asAt, scope);
    const actual = await postgres.records.asAt(asAt, scope);
    expect(actual.asAt).toBe(expected.asAt);
    // Strict: a reading without a numerator has no numerator key, in both.
    expect(everyReading(actual)).toStrictEqual(everyReading(expected));
    expect(actual.targets).toStrictEqual(expected.targets);
    expect(actual.populations).toStrictEqual(expected.populations);
    expect(await postgres.records.targets(asAt)).toStrictEqual(sqlite.records.targets(asAt));
    expect(await postgres.records.span(asAt)).toStrictEqual(sqlite.records.span(asAt));
  });

  it('has readings to compare: the comparison is not of empty lists', async () => {
    const records = await postgres.records.asAt(undefined, scope);
    const found = Object.values(everyReading(records)).filter((list) => (list as unknown[]).length > 0);
    expect(found.length).toBeGreaterThan(1_000);
    expect(records.readings('SAC', 'DBC', { start: '2008-06-01', end: '2008-06-30' })).toStrictEqual([
      { measureId: 'SAC', area: 'DBC', period: { start: '2008-06-01', end: '2008-06-30' }, value: 98, returnId: expect.any(String), row: 2, agency: 'north-kent-police', recordedAt: '2009-05-03T07:00:00.500Z' },
    ]);
    expect(records.targets.length).toBeGreaterThan(0);
    expect(records.populations.length).toBeGreaterThan(0);
  });

  it('refuses to answer for a measure or area outside the scope it read, rather than answer "no readings"', async () => {
    const records = await postgres.records.asAt(undefined, { measureIds: ['SAC'], areas: ['DBC'] });
    expect(records.readings('SAC', 'DBC', windows[0] as Period).length).toBeGreaterThan(0);
    expect(() => records.readings('SAC', 'GBC', windows[0] as Period)).toThrow(RangeError);
    expect(() => records.readings('NI117', 'DBC', windows[0] as Period)).toThrow(RangeError);
  });

  it('read for a window, answers within it as SQLite does, and refuses a window reaching outside it', async () => {
    const window = { start: '2008-04-01', end: '2009-03-31' };
    const records = await postgres.records.asAt('2009-04-15T23:59:59.999Z', { ...scope, window });
    const expected = sqlite.records.asAt('2009-04-15T23:59:59.999Z', scope);
    const inside = windows.filter((w) => w.start >= window.start && w.end <= window.end);
    expect(inside.length).toBeGreaterThan(10);
    for (const measureId of scope.measureIds) {
      for (const area of scope.areas) {
        for (const w of inside) expect(records.readings(measureId, area, w)).toStrictEqual(expected.readings(measureId, area, w));
      }
    }
    expect(() => records.readings('SAC', 'DBC', { start: '2008-03-01', end: '2008-03-31' })).toThrow(/were asked of records read from 2008-04-01 to 2009-03-31/);
    expect(() => records.readings('SAC', 'DBC', { start: '2009-03-01', end: '2009-04-30' })).toThrow(RangeError);
  });

  it('corrections and returns between two moments', async () => {
    const between: [string, string, string | undefined][] = [
      ['2000-01-01T00:00:00.000Z', END_OF_TIME, undefined],
      ['2009-04-15T23:59:59.999Z', END_OF_TIME, '2009-04-15T23:59:59.999Z'],
      ['2009-04-20T11:15:00.000Z', '2009-05-02T08:00:00.000Z', undefined],
      ['2009-05-02T08:00:00.000Z', END_OF_TIME, '2009-05-02T08:00:00.000Z'],
      ['2009-01-01T00:00:00.000Z', '2009-12-31T23:59:59.999Z', '2008-01-01T00:00:00.000Z'],
    ];
    for (const [from, to, recordedBy] of between) {
      expect(await postgres.records.correctionsBetween(from, to, recordedBy)).toStrictEqual(sqlite.records.correctionsBetween(from, to, recordedBy));
      expect(await postgres.records.returnsBetween(from, to)).toStrictEqual(sqlite.records.returnsBetween(from, to));
    }
    expect((await postgres.records.correctionsBetween('2000-01-01T00:00:00.000Z', END_OF_TIME)).length).toBeGreaterThanOrEqual(3);
  });

  it('whether anything projected after a position bears on a window', async () => {
    const checkpoint = sqlite.checkpoint();
    let changed = 0;
    let unchanged = 0;
    for (const position of [0n, 1n, checkpoint / 4n, checkpoint / 2n, checkpoint - 30n, checkpoint - 1n, checkpoint]) {
      for (const window of windows) {
        const expected = sqlite.records.changedSince(position, window);
        expect(await postgres.records.changedSince(position, window)).toBe(expected);
        if (expected) changed++;
        else unchanged++;
      }
    }
    expect(changed).toBeGreaterThan(0);
    expect(unchanged).toBeGreaterThan(0);
  });

  it('each return by its id, the latest moment recorded, and the checkpoint', async () => {
    const returns = sqlite.records.returnsBetween('2000-01-01T00:00:00.000Z', END_OF_TIME);
    expect(returns.length).toBeGreaterThan(100);
    for (const { returnId } of returns) expect(await postgres.records.returnById(returnId)).toStrictEqual(sqlite.records.returnById(returnId));
    expect(await postgres.records.returnById('no-such-return')).toBeUndefined();
    expect(await postgres.records.lastRecordedAt()).toBe(sqlite.records.lastRecordedAt());
    expect(await postgres.records.checkpoint()).toBe(sqlite.checkpoint());
  });

  it('what the log holds: events, streams, and events per type in the order first seen', async () => {
    const expected = sqlite.records.holdings();
    const actual = await postgres.records.holdings();
    expect(actual).toStrictEqual(expected);
    expect([...actual.byType.keys()]).toEqual([...expected.byType.keys()]);
    expect(actual.events).toBe(Number(sqlite.checkpoint()));
    expect(actual.streams).toBeGreaterThan(100);
    expect(actual.byType.size).toBeGreaterThan(5);
  });
});

describe('the PostgreSQL audit trail answers as SQLite AuditTrail does', () => {
  const filters: AuditFilter[] = [
    {},
    { limit: 5 },
    { limit: 100_000 },
    ...auditKinds.map((kind) => ({ kind })),
    { measure: 'SAC' },
    { measure: 'SAC', kind: 'correction' },
    { measure: 'SAC', kind: 'target' },
    { agency: 'north-kent-police' },
    { agency: 'north-kent-police', kind: 'access-refused' },
    { person: 'nkp.analyst' },
    { person: 'administrator' },
    { person: 'another.analyst' },
    { from: '2009-07-01T00:00:00Z', to: '2009-07-31T23:59:59Z' },
    { from: '2009-05-02T08:00:00Z' },
    { to: '2009-05-03T08:00:00.5+01:00', limit: 20 },
    { measure: 'SAC', agency: 'north-kent-police', person: 'nkp.analyst', kind: 'reading', from: '2008-01-01T00:00:00Z', to: '2009-12-31T00:00:00Z', limit: 7 },
  ];

  it.each(filters)('entries %j', async (filter) => {
    const expected = sqlite.audit.entries(filter);
    expect(await postgres.audit.entries(filter)).toStrictEqual(expected);
  });

  it('has entries of every kind to compare, figures with numbers and the others with text', async () => {
    const entries = await postgres.audit.entries({ limit: 100_000 });
    expect(new Set(entries.map((e) => e.kind))).toEqual(new Set(auditKinds));
    expect(entries.find((e) => e.kind === 'correction')).toMatchObject({ was: expect.any(Number), now: expect.any(Number) });
    expect(entries.find((e) => e.kind === 'target' && e.was !== null)).toMatchObject({ was: expect.any(String), now: expect.any(String) });
  });

  it('who set each target version', async () => {
    const setters = await postgres.audit.targetSetters();
    expect(setters).toStrictEqual(sqlite.audit.targetSetters());
    expect(setters.get('SAC-2008-09\u001f3')).toBe('another.analyst');
    expect(setters.get('SAC-2008-09\u001f1')).toBe('catalogue');
  });
});
