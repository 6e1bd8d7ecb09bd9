/**
 * Returns sent over HTTP, one after another, to a fresh ingest server on a fresh SQLite store:
 * the time from sending a 50-row return to its answer, which comes once the return is stored.
 * Every upload is a different file (its own five months), so none is a resubmission or a
 * correction. Prints figures beside the goal; asserts nothing. BENCH_UPLOADS=50 for a quick run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCatalogue } from '@beacon/catalogue';
import { openSqliteEventStore } from '@beacon/event-store-sqlite';
import { buildIngestServer } from '../src/server.js';

const uploads = Number(process.env.BENCH_UPLOADS ?? 200);
const warmUp = 10;
const MONTHS_PER_RETURN = 5;

const pad = (n: number) => String(n).padStart(2, '0');

/** North Kent Police's five monthly measures for both boroughs, for five months: 50 rows. */
function policeReturn(index: number): string {
  const rows = ['measure,area,period_start,period_end,value,numerator,denominator,sample_size,note'];
  for (let m = 0; m < MONTHS_PER_RETURN; m++) {
    const month = index * MONTHS_PER_RETURN + m;
    const year = 1950 + Math.floor(month / 12);
    const mm = month % 12;
    const start = `01/${pad(mm + 1)}/${year}`;
    const end = `${pad(new Date(Date.UTC(year, mm + 1, 0)).getUTCDate())}/${pad(mm + 1)}/${year}`;
    for (const area of ['DBC', 'GBC']) {
      const shared = 20 + (month % 7);
      const repeats = 10 + (month % 5);
      rows.push(
        `SAC,${area},${start},${end},${100 + (month % 50)},,,,`,
        `NTE_VIOLENCE,${area},${start},${end},${10 + (month % 9)},,,,`,
        `NI15,${area},${start},${end},${5 + (month % 6)},,,,`,
        `DA_REPEAT,${area},${start},${end},${((100 * repeats) / 60).toFixed(1)},${repeats},60,,`,
        `NTE_SHARE,${area},${start},${end},${((100 * shared) / 160).toFixed(1)},${shared},160,,`,
      );
    }
  }
  return `${rows.join('\r\n')}\r\n`;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? Number.NaN;
const ms = (value: number) => `${value.toFixed(1)} ms`;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'beacon-bench-http-'));
  const store = await openSqliteEventStore({ file: join(dir, 'events.sqlite') });
  const app = buildIngestServer({ store, catalogue: loadCatalogue() });
  try {
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    const send = async (index: number) => {
      const body = policeReturn(index);
      const started = performance.now();
      const response = await fetch(`${url}/returns?agency=north-kent-police`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'text/csv', 'x-file-name': `bench-${index}.csv`, 'x-submitter': 'bench' },
      });
      const answer = (await response.json()) as { status: string; readings: number };
      const took = performance.now() - started;
      if (response.status !== 201 || answer.readings !== 50) throw new Error(`upload ${index}: ${response.status} ${JSON.stringify(answer)}`);
      return took;
    };

    console.info(`Beacon ingest over HTTP: ${uploads} returns of 50 rows (~${Math.round(policeReturn(0).length / 1024)} KB each), one after another, to a fresh SQLite store`);
    for (let i = 0; i < warmUp; i++) await send(i);
    const latencies: number[] = [];
    const started = performance.now();
    for (let i = warmUp; i < warmUp + uploads; i++) latencies.push(await send(i));
    const elapsed = performance.now() - started;

    latencies.sort((a, b) => a - b);
    const median = percentile(latencies, 50);
    console.info(`  request to stored, median: ${ms(median)} (goal: under 50 ms${median < 50 ? ', met' : ', NOT MET'})`);
    console.info(`  request to stored, p95: ${ms(percentile(latencies, 95))}`);
    console.info(`  request to stored, p99: ${ms(percentile(latencies, 99))}`);
    console.info(`  uploads/s: ${((uploads / elapsed) * 1000).toFixed(1)}`);
    console.info(`  store at the end: ${(await store.headPosition()).toLocaleString('en-GB')} events`);
  } finally {
    await app.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
