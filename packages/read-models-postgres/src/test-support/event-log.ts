/**
 * For tests: an event log with something of everything the projector writes, made through the
 * real intake: the catalogue's targets and populations; the illustrative sample returns for
 * 2008/09 to 2010/11 as their agencies sent them (about a thousand readings, with a correction);
 * a resent return that corrects readings and one that corrects a correction; target revisions by
 * two people; accounts, a password, a token and its revocation, and refused requests.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Catalogue, loadCatalogue } from '@beacon/catalogue';
import { LoggedEvent, type StoredEvent } from '@beacon/event-store';
import { openSqliteEventStore } from '@beacon/event-store-sqlite';
import { type BeaconEvent, catalogueRecords, eventId, toEventToAppend } from '@beacon/events';
import { ingestReturn, keepReadingsOnRecord } from '@beacon/return-intake';

export const catalogue: Catalogue = loadCatalogue();
const sampleReturns = fileURLToPath(new URL('../../../../data/sample-returns/', import.meta.url));
const header = 'measure,area,period_start,period_end,value,numerator,denominator,sample_size,note\n';

/** The whole log, in order, from a SQLite event store made for it and thrown away. */
export async function eventLog(): Promise<StoredEvent[]> {
  const dir = mkdtempSync(join(tmpdir(), 'beacon-read-models-postgres-'));
  const store = await openSqliteEventStore({ file: join(dir, 'events.sqlite') });
  try {
    for (const record of catalogueRecords(catalogue)) await store.append(record.stream, [toEventToAppend(record.event, record.id)]);
    const onRecord = keepReadingsOnRecord(store);
    const send = async (bytes: Uint8Array, fileName: string, agency: string, submitter: string, receivedAt: string) => {
      const outcome = await ingestReturn(
        { source: { bytes }, fileName, agency, submitter: { kind: 'person', id: submitter, agency }, receivedAt },
        { store, catalogue, readingsOnRecord: onRecord },
      );
      if (outcome.status !== 'accepted') throw new Error(`${fileName} was not accepted: ${JSON.stringify(outcome)}`);
    };
    const manifest = JSON.parse(readFileSync(join(sampleReturns, 'manifest.json'), 'utf8')) as { file: string; agency: string; submitter: string; receivedAt: string }[];
    for (const entry of manifest) await send(readFileSync(join(sampleReturns, entry.file)), entry.file, entry.agency, entry.submitter, entry.receivedAt);

    // Police figures resent for June 2008 (two corrected, one with a note), then one corrected again.
    const csv = (rows: string) => new TextEncoder().encode(header + rows);
    await send(csv('SAC,DBC,01/06/2008,30/06/2008,99,,,,resent after audit\nSAC,GBC,01/06/2008,30/06/2008,102,,,,\n'), 'june-resent.csv', 'north-kent-police', 'nkp.analyst', '2009-05-02T08:00:00Z');
    await send(csv('SAC,DBC,01/06/2008,30/06/2008,98,,,,\n'), 'june-resent-again.csv', 'north-kent-police', 'nkp.analyst', '2009-05-03T08:00:00.5+01:00');

    const append = (stream: string, event: BeaconEvent, id: string = crypto.randomUUID()) => store.append(stream, [toEventToAppend(event, id)]);
    const sac = catalogue.targets.find((t) => t.id === 'SAC-2008-09');
    if (sac?.kind !== 'value') throw new Error('the catalogue has no SAC-2008-09 value target');
    const { id, measure, area, period, source } = sac;
    const revision = { targetId: id, measureId: measure, area, period, source, target: { kind: 'value', value: 12.9 } } as const;
    await append(
      `target-${id}`,
      { type: 'TargetSet', data: { ...revision, version: 2, tolerance: { type: 'relative', value: 0.05 }, recordedAt: '2009-06-01T10:00:00Z', actor: { kind: 'person', id: 'an.analyst' } } },
      eventId('target', id, 'version', 2),
    );
    await append(
      `target-${id}`,
      { type: 'TargetSet', data: { ...revision, version: 3, note: 'agreed at the strategy group', recordedAt: '2009-07-01T10:00:00Z', actor: { kind: 'person', id: 'another.analyst' } } },
      eventId('target', id, 'version', 3),
    );

    const by = (time: string) => ({ recordedAt: time, actor: { kind: 'person', id: 'administrator' } }) as const;
    await append('accounts', { type: 'AccountOpened', data: { accountId: 'nkp.officer', name: 'Pat', role: 'data-officer', kind: 'person', agency: 'north-kent-police', ...by('2009-07-01T09:00:00Z') } });
    await append('accounts', { type: 'PasswordSet', data: { accountId: 'nkp.officer', passwordHash: 'scrypt$15$8$1$c2FsdA$aGFzaA', ...by('2009-07-01T09:00:01Z') } });
    await append('accounts', { type: 'ApiTokenIssued', data: { accountId: 'nkp.officer', tokenId: 'beacon_AbCd1234', sha256: 'a'.repeat(64), label: 'upload script', ...by('2009-07-01T09:00:02Z') } });
    await append('accounts', { type: 'TokenRevoked', data: { accountId: 'nkp.officer', tokenId: 'beacon_AbCd1234', reason: 'laptop lost', ...by('2009-07-02T09:00:00Z') } });
    await append('accounts', { type: 'AccountClosed', data: { accountId: 'nkp.officer', ...by('2009-07-05T09:00:00Z') } });
    for (const [time, alsoRefused] of [
      ['2009-07-03T09:00:00Z', 41],
      ['2009-07-03T09:00:00Z', undefined],
    ] as const) {
      await append('access-refused', {
        type: 'AccessRefused',
        data: {
          status: 401,
          action: 'submit-return',
          reason: 'the token was revoked on 2009-07-02T09:00:00Z',
          attempt: { credential: 'token', tokenId: 'beacon_AbCd1234', accountId: 'nkp.officer', remoteAddress: '192.0.2.10', method: 'POST', path: '/returns' },
          resource: { agency: 'north-kent-police' },
          ...(alsoRefused && { alsoRefused }),
          recordedAt: time,
          actor: { kind: 'system', id: 'beacon' },
        },
      });
    }
    return await store.readAll();
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** An event this Beacon cannot read, at `position`. */
export const unreadable = (position: bigint): StoredEvent =>
  new LoggedEvent(position, 'from-the-future', 0n, '00000000-0000-4000-8000-000000000000', 'NoSuchEvent', {}, { schemaVersion: 1 }, '2026-01-01T00:00:00.000Z');

/** `events` in batches of `size`, in order. */
export function* batchesOf<T>(events: readonly T[], size: number): Generator<T[]> {
  for (let i = 0; i < events.length; i += size) yield events.slice(i, i + size);
}
