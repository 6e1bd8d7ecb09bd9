import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCatalogue } from '@beacon/catalogue';
import type { EventStore } from '@beacon/event-store';
import { openSqliteEventStore } from '@beacon/event-store-sqlite';
import { type BeaconEvent, catalogueRecords, eventId, toEventToAppend } from '@beacon/events';
import { ingestReturn, keepReadingsOnRecord } from '@beacon/return-intake';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AuditEntry, type AuditTrail, auditBounds, auditCsv } from './audit.js';
import { ReadModels } from './projection.js';

const catalogue = loadCatalogue();
const header = 'measure,area,period_start,period_end,value,numerator,denominator,sample_size,note\n';
const officer = { kind: 'person', id: 'nkp.officer', agency: 'north-kent-police' } as const;
const analyst = { kind: 'person', id: 'an.analyst' } as const;
const administrator = { kind: 'person', id: 'administrator' } as const;

let dir: string;
let store: EventStore;
let readModels: ReadModels;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'beacon-audit-'));
  store = await openSqliteEventStore({ file: join(dir, 'events.sqlite') });
  readModels = new ReadModels(join(dir, 'read-models.sqlite'));
});
afterEach(async () => {
  readModels.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function sent(csv: string, receivedAt: string, fileName: string) {
  const outcome = await ingestReturn(
    { source: { bytes: new TextEncoder().encode(header + csv) }, fileName, agency: 'north-kent-police', submitter: officer, receivedAt },
    { store, catalogue, readingsOnRecord: keepReadingsOnRecord(store) },
  );
  expect(outcome.status).toBe('accepted');
}

const append = (stream: string, event: BeaconEvent, id: string = crypto.randomUUID()) => store.append(stream, [toEventToAppend(event, id)]);

async function projected(): Promise<AuditTrail> {
  readModels.project(await store.readAll());
  return readModels.audit;
}

describe('the audit trail', () => {
  beforeEach(async () => {
    for (const record of catalogueRecords(catalogue)) await store.append(record.stream, [toEventToAppend(record.event, record.id)]);
    await sent('SAC,DBC,01/03/2009,31/03/2009,170,,,,\nSAC,GBC,01/03/2009,31/03/2009,105,,,,\n', '2009-04-09T09:45:00Z', 'march.csv');
    await sent('SAC,DBC,01/03/2009,31/03/2009,118,,,,\n', '2009-04-20T11:15:00Z', 'march-corrected.csv');
    const sac = catalogue.targets.find((t) => t.id === 'SAC-2008-09');
    if (sac?.kind !== 'value') throw new Error('the catalogue has no SAC-2008-09 value target');
    const { id, measure, area, period, source } = sac;
    const revision = { targetId: id, version: 2, measureId: measure, area, period, source, target: { kind: 'value', value: 12.9 }, tolerance: { type: 'relative', value: 0.05 } } as const;
    await append(`target-${id}`, { type: 'TargetSet', data: { ...revision, recordedAt: '2009-06-01T10:00:00Z', actor: analyst } }, eventId('target', id, 'version', 2));
  });

  it('answers who changed a figure, when, from what to what: the first reading and its correction', async () => {
    const audit = await projected();
    const figures = audit.entries({ measure: 'SAC', agency: 'north-kent-police' }).filter((e) => e.kind === 'reading' || e.kind === 'correction');
    expect(figures.map((e) => [e.recordedAt, e.kind, e.person, e.area, e.was, e.now, e.what])).toEqual([
      ['2009-04-20T11:15:00.000Z', 'correction', 'nkp.officer', 'DBC', 170, 118, 'row 2 of march-corrected.csv'],
      ['2009-04-09T09:45:00.000Z', 'reading', 'nkp.officer', 'GBC', null, 105, 'row 3 of march.csv'],
      ['2009-04-09T09:45:00.000Z', 'reading', 'nkp.officer', 'DBC', null, 170, 'row 2 of march.csv'],
    ]);
    expect(figures[0]).toMatchObject({ period: { start: '2009-03-01', end: '2009-03-31' }, returnId: expect.stringMatching(/^north-kent-police-/), row: 2 });
    expect(audit.entries({ kind: 'correction' })).toHaveLength(1);
  });

  it("answers who changed a target: each version, what it was before, and who set it (the catalogue's first)", async () => {
    const audit = await projected();
    expect(audit.entries({ measure: 'SAC', kind: 'target' }).map((e) => [e.recordedAt, e.person, e.area, e.was, e.now, e.what])).toEqual([
      ['2009-06-01T10:00:00.000Z', 'an.analyst', 'DGCDRP', '13.7', '12.9, Amber within 5%', 'target SAC-2008-09 version 2 (police_target)'],
      ['2008-04-01T00:00:00.000Z', 'catalogue', 'DGCDRP', null, '13.7', 'target SAC-2008-09 version 1 (police_target)'],
    ]);
    expect(audit.entries({ person: 'an.analyst' }).map((e) => e.kind)).toEqual(['target']);
  });

  it('keeps accounts, tokens and refusals, never a secret; filtered by time', async () => {
    const at = (time: string) => ({ recordedAt: time, actor: administrator });
    await append('accounts', { type: 'AccountOpened', data: { accountId: 'nkp.officer', name: 'Pat', role: 'data-officer', kind: 'person', agency: 'north-kent-police', ...at('2009-07-01T09:00:00Z') } });
    await append('accounts', { type: 'PasswordSet', data: { accountId: 'nkp.officer', passwordHash: 'scrypt$15$8$1$c2FsdA$aGFzaA', ...at('2009-07-01T09:00:01Z') } });
    await append('accounts', { type: 'ApiTokenIssued', data: { accountId: 'nkp.officer', tokenId: 'beacon_AbCd1234', sha256: 'a'.repeat(64), label: 'upload script', ...at('2009-07-01T09:00:02Z') } });
    await append('accounts', { type: 'TokenRevoked', data: { accountId: 'nkp.officer', tokenId: 'beacon_AbCd1234', reason: 'laptop lost', ...at('2009-07-02T09:00:00Z') } });
    await append('access-refused', {
      type: 'AccessRefused',
      data: {
        status: 401,
        action: 'submit-return',
        reason: 'the token was revoked on 2009-07-02T09:00:00Z',
        attempt: { credential: 'token', tokenId: 'beacon_AbCd1234', accountId: 'nkp.officer', remoteAddress: '192.0.2.10', method: 'POST', path: '/returns' },
        resource: { agency: 'north-kent-police' },
        alsoRefused: 41,
        recordedAt: '2009-07-03T09:00:00Z',
        actor: { kind: 'system', id: 'beacon' },
      },
    });
    const audit = await projected();
    const entries = audit.entries({ from: '2009-07-01T00:00:00Z', to: '2009-07-31T23:59:59Z' });
    expect(entries.map((e) => [e.kind, e.person, e.was, e.now, e.what])).toEqual([
      [
        'access-refused',
        'nkp.officer',
        null,
        null,
        '401: submit-return refused (the token was revoked on 2009-07-02T09:00:00Z); POST /returns from 192.0.2.10 with a token beacon_AbCd1234; and 41 more refusals from this address, counted but not recorded one by one',
      ],
      ['token', 'administrator', 'in use', 'revoked', 'token beacon_AbCd1234 of nkp.officer revoked: laptop lost'],
      ['token', 'administrator', null, 'in use', 'token beacon_AbCd1234 issued to nkp.officer (upload script)'],
      ['password', 'administrator', null, 'set', 'password of nkp.officer set'],
      ['account', 'administrator', null, 'open: data officer of north-kent-police', 'account nkp.officer (Pat, a person) opened'],
    ]);
    expect(JSON.stringify(audit.entries())).not.toMatch(/scrypt|aaaaaaaa/);
    expect(audit.entries({ kind: 'access-refused', agency: 'north-kent-police' })).toHaveLength(1);
  });
});

describe('the audit trail as CSV', () => {
  const entry = (what: string): AuditEntry => ({
    recordedAt: '2009-04-20T11:15:00.000Z',
    kind: 'reading',
    person: 'nkp.officer',
    agency: 'north-kent-police',
    measure: 'SAC',
    area: 'DBC',
    period: { start: '2009-03-01', end: '2009-03-31' },
    was: -3,
    now: 118,
    what,
    returnId: 'r1',
    row: 2,
  });

  it('neutralises text a spreadsheet would run as a formula, quotes what needs it, and keeps numbers as numbers', () => {
    const csv = auditCsv(['=HYPERLINK("http://evil.example","x")', '+1+1', '-2+3', '@SUM(A1)', '\tcmd', 'a, "quoted" <script>alert(1)</script>'].map(entry));
    const lines = csv.replace(/^\uFEFF/, '').split('\r\n');
    expect(lines[0]).toBe('recorded_at,kind,person,agency,measure,area,period_start,period_end,was,now,what,return_id,row');
    expect(lines.slice(1, -1).map((line) => line.split(',').slice(8).join(','))).toEqual([
      `-3,118,"'=HYPERLINK(""http://evil.example"",""x"")",r1,2`,
      "-3,118,'+1+1,r1,2",
      "-3,118,'-2+3,r1,2",
      "-3,118,'@SUM(A1),r1,2",
      "-3,118,'\tcmd,r1,2",
      '-3,118,"a, ""quoted"" <script>alert(1)</script>",r1,2',
    ]);
  });
});

describe('the bounds a person gives an audit filter', () => {
  it('takes a date as its whole day, midnight included, and a time as that moment', () => {
    // "Recorded after from": the day before's last millisecond, so an entry at 00:00:00.000 of the first day is in.
    expect(auditBounds('2009-07-01', '2009-07-31')).toEqual({ from: '2009-06-30T23:59:59.999Z', to: '2009-07-31T23:59:59.999Z' });
    expect(auditBounds('2009-07-01T09:00:00Z', undefined)).toEqual({ from: '2009-07-01T09:00:00Z' });
    expect(auditBounds(undefined, undefined)).toEqual({});
  });
});
