/**
 * The projector and the query API at the scale the architecture plans for: 300 partnerships,
 * ten years of every rated measure (about 1.08 million readings). Prints figures beside the
 * goals of the projectors issue; asserts nothing. BENCH_PARTNERSHIPS=30 for a quick run.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCatalogue } from '@beacon/catalogue';
import { openSqliteEventStore } from '@beacon/event-store-sqlite';
import { catalogueRecords, eventId, streamOf, toEventToAppend } from '@beacon/events';
import { PerformanceQueries, ReadModels } from '@beacon/read-models';
import { follow } from '../src/projector.js';
import { catalogueWithPartnerships, PARTNERSHIPS, partnershipId, partnershipReturns, partnershipTargets } from './partnerships.js';

const dir = mkdtempSync(join(tmpdir(), 'beacon-projector-bench-'));
const storeFile = join(dir, 'events.sqlite');
const readModelsFile = join(dir, 'read-models.sqlite');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;
const rows: Array<[string, string, string]> = [];
const report = (measure: string, figure: string, goal = '') => {
  rows.push([measure, figure, goal]);
  console.log(`  ${measure}: ${figure}${goal ? `   (goal ${goal})` : ''}`);
};

try {
  const catalogueDir = catalogueWithPartnerships();
  const catalogue = loadCatalogue(catalogueDir);
  console.log(`Building a store: ${PARTNERSHIPS} partnerships x 2 boroughs, 10 years of every rated measure...`);
  const store = await openSqliteEventStore({ file: storeFile });
  let readings = 0;
  let started = performance.now();
  for (const record of catalogueRecords(catalogue)) await store.append(record.stream, [toEventToAppend(record.event, record.id)]);
  for (const target of partnershipTargets(catalogueDir)) await store.append(target.stream, target.events);
  for (const r of partnershipReturns(catalogueDir)) {
    await store.append(r.stream, r.events, { expectedRevision: 'no_stream' });
    readings += r.readings;
  }
  const head = await store.headPosition();
  report('store built', `${readings.toLocaleString('en-GB')} readings, ${head.toLocaleString('en-GB')} events in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  // 1. Rebuild from zero, in a process of its own so its peak memory is its own.
  const child = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./rebuild-child.ts', import.meta.url)), storeFile, readModelsFile], {
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
  });
  if (child.status !== 0) throw new Error(`rebuild failed: ${child.stdout}`);
  const rebuilt = JSON.parse(child.stdout) as { events: number; seconds: number; maxRssMb: number };
  report('rebuild of all read models', `${Math.round(rebuilt.events / rebuilt.seconds).toLocaleString('en-GB')} events/s (${rebuilt.events.toLocaleString('en-GB')} events in ${rebuilt.seconds.toFixed(1)} s)`, '>= 150,000 events/s');
  report('rebuild peak RSS', `${rebuilt.maxRssMb.toFixed(0)} MB`, '< 500 MB');

  // 2. The summary for one partnership and month, never asked before (nothing remembered).
  const readModels = new ReadModels(readModelsFile);
  const queries = new PerformanceQueries(readModels.records, catalogue);
  const latencies: number[] = [];
  for (let i = 0; i < 200; i++) {
    const p = 1 + (i % PARTNERSHIPS);
    const month = 60 + (Math.floor(i / PARTNERSHIPS) % 60);
    const period = `${2008 + Math.floor((month + 3) / 12)}-${String(((month + 3) % 12) + 1).padStart(2, '0')}`;
    started = performance.now();
    await queries.summary({ area: partnershipId(p), period });
    latencies.push(performance.now() - started);
  }
  const cold = latencies.slice(20);
  report('summary per priority area, one partnership and month', `median ${median(cold).toFixed(1)} ms, p95 ${percentile(cold, 0.95).toFixed(1)} ms (first asked; ${cold.length} queries)`, '< 20 ms median');
  await queries.summary({ area: partnershipId(1), period: '2017-03' });
  started = performance.now();
  await queries.summary({ area: partnershipId(1), period: '2017-03' });
  report('the same summary asked again (remembered until the projector moves on)', `${(performance.now() - started).toFixed(2)} ms`);

  // 3. From appending a 50-row return to the summary showing it, with the projector following.
  const subscription = await follow(store, readModels);
  const actor = { kind: 'person', id: 'bench' } as const;
  const freshness: number[] = [];
  for (let i = 0; i < 30; i++) {
    const p = 1 + (i % PARTNERSHIPS);
    // Each return brings 25 new months of SAC for both boroughs, after everything before it.
    const firstMonth = 3 + i * 25;
    const period = `${2018 + Math.floor(firstMonth / 12)}-${String((firstMonth % 12) + 1).padStart(2, '0')}`;
    const returnId = `fresh-${i}`;
    const events = [
      toEventToAppend(
        {
          type: 'ReturnReceived',
          data: { returnId, agency: 'north-kent-police', fileName: `${returnId}.csv`, sha256: '0'.repeat(64), format: 'csv', readingCount: 50, period: { start: `${period}-01`, end: '2099-12-31' }, recordedAt: new Date().toISOString(), actor },
        },
        eventId(returnId, 'received'),
      ),
      ...Array.from({ length: 50 }, (_, row) => {
        const month = firstMonth + Math.floor(row / 2);
        const start = new Date(Date.UTC(2018, month, 1)).toISOString().slice(0, 10);
        const end = new Date(Date.UTC(2018, month + 1, 0)).toISOString().slice(0, 10);
        const area = `${partnershipId(p)}${row % 2 === 0 ? 'A' : 'B'}`;
        return toEventToAppend(
          { type: 'ReadingRecorded', data: { returnId, row: row + 2, measureId: 'SAC', area, agency: 'north-kent-police', value: 99, period: { start, end }, recordedAt: new Date().toISOString(), actor } },
          eventId(returnId, row + 2),
        );
      }),
    ];
    started = performance.now();
    await store.append(streamOf.return(returnId), events, { expectedRevision: 'no_stream' });
    for (;;) {
      const sac = (await queries.summary({ area: partnershipId(p), period })).measures.find((m) => m.measureId === 'SAC');
      if (sac?.provenance.readings.some((r) => r.returnId === returnId)) break;
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    freshness.push(performance.now() - started);
  }
  await subscription.stop();
  report('append of a 50-row return to the summary showing it', `median ${median(freshness).toFixed(0)} ms, p95 ${percentile(freshness, 0.95).toFixed(0)} ms (${freshness.length} returns)`, '< 200 ms median');
  readModels.close();
  await store.close();

  console.log('\n| measure | figure | goal |\n|---|---|---|');
  for (const [measure, figure, goal] of rows) console.log(`| ${measure} | ${figure} | ${goal || '-'} |`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
