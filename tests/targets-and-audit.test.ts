/**
 * Every write is an event with its actor, and the audit trail answers for it: an analyst revises
 * a target over HTTP (POST /targets), a data officer corrects a figure (POST /returns); reports
 * "as at" a moment use the targets in force then; GET /audit says who changed what, when, from
 * what to what, by measure, agency and person, as JSON or CSV. Real servers, one SQLite store.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tokenFor } from '@beacon/accounts/test-support';
import { loadCatalogue } from '@beacon/catalogue';
import type { EventStore } from '@beacon/event-store';
import { openSqliteEventStore } from '@beacon/event-store-sqlite';
import { fromStoredEvent } from '@beacon/events';
import { createAuth } from '@beacon/http-auth';
import { buildIngestServer } from '@beacon/ingest-service';
import { buildQueryServer, catchUp } from '@beacon/projector-service';
import { recordCatalogue, sendSacReturns } from '@beacon/projector-service/test-support';
import { PerformanceQueries, ReadModels } from '@beacon/read-models';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const catalogue = loadCatalogue();
let dir: string;
let store: EventStore;
let readModels: ReadModels;
let ingest: FastifyInstance;
let query: FastifyInstance;
let ingestUrl: string;
let queryUrl: string;
let analyst: string;
let officer: string;
let viewer: string;
let beforeRevision: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'beacon-targets-'));
  store = await openSqliteEventStore({ file: join(dir, 'events.sqlite') });
  await recordCatalogue(store, catalogue);
  await sendSacReturns(store, catalogue);
  const auth = createAuth({ store, catalogue });
  analyst = await tokenFor(auth.accounts, 'an.analyst', 'analyst');
  officer = await tokenFor(auth.accounts, 'nkp.officer', 'data-officer', 'north-kent-police');
  viewer = await tokenFor(auth.accounts, 'a.viewer', 'strategy-group-viewer');
  readModels = new ReadModels(join(dir, 'read-models.sqlite'));
  ingest = buildIngestServer({ store, catalogue, auth });
  query = buildQueryServer({ queries: new PerformanceQueries(readModels.records, catalogue), audit: readModels.audit, auth, health: () => ({ status: 'ok', position: '0' }) });
  ingestUrl = await ingest.listen({ host: '127.0.0.1', port: 0 });
  queryUrl = await query.listen({ host: '127.0.0.1', port: 0 });
  beforeRevision = new Date().toISOString();
  await new Promise((resolve) => setTimeout(resolve, 5));
});

afterAll(async () => {
  await ingest?.close();
  await query?.close();
  readModels?.close();
  await store?.close();
  await rm(dir, { recursive: true, force: true });
});

const postTarget = (body: unknown, token = analyst) =>
  fetch(`${ingestUrl}/targets`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` } });
const get = async (path: string, token: string) => {
  await catchUp(store, readModels);
  return fetch(`${queryUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
};
const plan2008 = { measure: 'SAC', area: 'DGCDRP', period: { start: '2008-04-01', end: '2009-03-31' } };

describe('targets, set and revised by analysts (POST /targets)', () => {
  it("revises the plan's target: the next version, with who, when, and what it was", async () => {
    const response = await postTarget({ ...plan2008, value: 12.9, tolerance: { type: 'relative', value: 0.05 }, revises: 1, note: 'the refreshed plan' });
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({
      status: 'recorded',
      targetId: 'SAC-2008-09',
      measure: 'SAC',
      area: 'DGCDRP',
      period: plan2008.period,
      was: { version: 1, target: { kind: 'value', value: 13.7 }, tolerance: null, recordedAt: '2008-04-01T00:00:00Z', by: 'catalogue' },
      now: { version: 2, target: { kind: 'value', value: 12.9 }, tolerance: { type: 'relative', value: 0.05 }, recordedAt: expect.any(String), by: 'an.analyst' },
    });
    const events = (await store.readStream('target-SAC-2008-09')).map(fromStoredEvent);
    expect(events.map((e) => e.type === 'TargetSet' && [e.data.version, e.data.actor.id, e.data.source])).toEqual([
      [1, 'catalogue', 'police_target'],
      [2, 'an.analyst', 'police_target'],
    ]);
  });

  it('refuses a revision of a version that is no longer the latest (409), and nonsense (400), recording nothing', async () => {
    const head = await store.headPosition();
    const stale = await postTarget({ ...plan2008, value: 12.5, revises: 1 });
    expect(stale.status).toBe(409);
    expect(((await stale.json()) as { message: string }).message).toMatch(/is at version 2, not 1/);
    const cases: [unknown, RegExp][] = [
      [{ ...plan2008, value: 12, direction: 'reduce' }, /give either a value or a direction/],
      [{ ...plan2008, measure: 'SACC', value: 12 }, /"SACC" is not a measure/],
      [{ ...plan2008, area: 'KENT', value: 12 }, /"KENT" is not an area/],
      [{ ...plan2008, measure: 'DA_REPEAT', value: 150 }, /150 is outside what DA_REPEAT can be/],
      [{ ...plan2008, period: { start: '2009-03-31', end: '2008-04-01' }, value: 12 }, /period.end: period start must not be after its end/],
      [{ ...plan2008, value: 12, extra: '<script>' }, /Unrecognized key/],
    ];
    for (const [body, message] of cases) {
      const response = await postTarget(body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(((await response.json()) as { message: string }).message).toMatch(message);
    }
    expect(await store.headPosition()).toBe(head);
  });

  it('sets a target the plan had none for, as its first version: a direction for the next year', async () => {
    const response = await postTarget({ measure: 'NTE_VIOLENCE', area: 'DBC', period: { start: '2010-04-01', end: '2011-03-31' }, direction: 'reduce' });
    expect(response.status).toBe(201);
    expect(await response.json()).toMatchObject({ targetId: 'NTE_VIOLENCE-DBC-2010-04-01-2011-03-31', was: null, now: { version: 1, target: { kind: 'direction', direction: 'reduce' } } });
  });

  it('a report as at a moment before the revision uses the target in force then; now, the revision', async () => {
    const sacTarget = async (asAt?: string) => {
      const response = await get(`/summary?period=2009-03${asAt ? `&asAt=${encodeURIComponent(asAt)}` : ''}`, viewer);
      const summary = (await response.json()) as { measures: { measureId: string; provenance: { target: { version: number; value: number } } }[] };
      return summary.measures.find((m) => m.measureId === 'SAC')?.provenance.target;
    };
    expect(await sacTarget(beforeRevision)).toMatchObject({ version: 1, value: 13.7 });
    expect(await sacTarget()).toMatchObject({ version: 2, value: 12.9 });
  });
});

describe('the audit trail (GET /audit)', () => {
  it('says who changed a figure and a target, when, from what to what; by measure, agency and person', async () => {
    // A data officer corrects Dartford's March 2009 again.
    const correction = await fetch(`${ingestUrl}/returns?agency=north-kent-police&fileName=sac-march-again.csv`, {
      method: 'POST',
      body: 'measure,area,period_start,period_end,value\r\nSAC,DBC,01/03/2009,31/03/2009,99\r\n',
      headers: { 'content-type': 'text/csv', authorization: `Bearer ${officer}` },
    });
    expect(correction.status).toBe(201);

    const response = await get('/audit?measure=SAC', analyst);
    expect(response.status).toBe(200);
    const { entries } = (await response.json()) as { entries: { kind: string; person: string; area: string; was: unknown; now: unknown }[] };
    expect(entries.slice(0, 2).map((e) => [e.kind, e.person, e.area, e.was, e.now])).toEqual([
      ['correction', 'nkp.officer', 'DBC', 105, 99],
      ['target', 'an.analyst', 'DGCDRP', '13.7', '12.9, Amber within 5%'],
    ]);
    expect(entries.filter((e) => e.kind === 'correction').map((e) => [e.person, e.was, e.now])).toEqual([
      ['nkp.officer', 105, 99],
      ['analyst', 170, 105],
    ]);

    const byPerson = (await (await get('/audit?person=an.analyst', analyst)).json()) as { entries: { kind: string; measure: string }[] };
    expect(byPerson.entries.map((e) => [e.kind, e.measure])).toEqual([
      ['target', 'NTE_VIOLENCE'],
      ['target', 'SAC'],
    ]);
    const byAgency = (await (await get('/audit?agency=north-kent-police&kind=correction', analyst)).json()) as { entries: unknown[] };
    expect(byAgency.entries).toHaveLength(2);
  });

  it('exports as CSV for a spreadsheet, and names a bad filter', async () => {
    const csv = await get('/audit?measure=SAC&person=nkp.officer&format=csv', analyst);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(csv.headers.get('content-disposition')).toBe('attachment; filename="beacon-audit.csv"');
    const lines = (await csv.text()).replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines[0]).toBe('recorded_at,kind,person,agency,measure,area,period_start,period_end,was,now,what,return_id,row');
    expect(lines.slice(1)).toEqual([expect.stringMatching(/^20\d\d-.*,correction,nkp\.officer,north-kent-police,SAC,DBC,2009-03-01,2009-03-31,105,99,row 2 of sac-march-again\.csv,north-kent-police-[0-9a-f]+,2$/)]);

    const bad = await get('/audit?kind=everything', analyst);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toMatch(/^kind: /);
  });
});
