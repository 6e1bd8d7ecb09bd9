import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCatalogue } from '@beacon/catalogue';
import { openSqliteEventStore } from '@beacon/event-store-sqlite';
import { ingestReturn } from './ingest-return.js';
import { keepReadingsOnRecord, readingsOnRecord } from './readings-on-record.js';
import { expect, it } from 'vitest';

const catalogue = loadCatalogue();
const sample = (file: string) => readFile(fileURLToPath(new URL(`../../../data/sample-returns/2008-09/${file}`, import.meta.url)));

it('keeps up with the log: the same readings in force as reading the whole log, corrections included', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'beacon-on-record-'));
  const store = await openSqliteEventStore({ file: join(dir, 'events.sqlite') });
  try {
    const kept = keepReadingsOnRecord(store);
    const send = async (file: string) =>
      ingestReturn(
        { source: { bytes: await sample(file) }, fileName: file, agency: 'north-kent-police', submitter: { kind: 'person', id: 'nkp.analyst' } },
        { store, catalogue, readingsOnRecord: kept },
      );

    expect((await kept()).size).toBe(0);
    await send('north-kent-police-2009-02.csv');
    await send('north-kent-police-2009-03.csv');
    // Two at once, as two uploads would: both see every reading, none applied twice.
    const [first, second] = await Promise.all([kept(), kept()]);
    expect(first.size).toBe(20);
    expect(second).toBe(first);

    const correction = await send('north-kent-police-2009-03-correction.csv');
    expect(correction).toMatchObject({ status: 'accepted', corrections: [{ measureId: 'SAC', area: 'DBC', now: 118, was: { value: 170 } }] });
    expect(new Map(await kept())).toEqual(new Map(await readingsOnRecord(store)));
    expect((await kept()).get('SAC|DBC|2009-03-01|2009-03-31')?.value).toBe(118);
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
});
