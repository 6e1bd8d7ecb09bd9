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
import { tokenFor } from '@beacon/accounts/test-support';
import { openSqliteEventStore } from '@beacon/event-store-sqlite';
import { createAuth } from '@beacon/http-auth';
import { buildIngestServer } from '../src/server.js';
import { percentile, policeReturn } from './police-return.js';

const uploads = Number(process.env.BENCH_UPLOADS ?? 200);
const warmUp = 10;

const ms = (value: number) => `${value.toFixed(1)} ms`;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'beacon-bench-http-'));
  const store = await openSqliteEventStore({ file: join(dir, 'events.sqlite') });
  const catalogue = loadCatalogue();
  const auth = createAuth({ store, catalogue });
  const token = await tokenFor(auth.accounts, 'bench.officer', 'data-officer', 'north-kent-police');
  const app = buildIngestServer({ store, catalogue, auth, uploadsPerMinute: 1_000_000 });
  try {
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    const send = async (index: number) => {
      const body = policeReturn(index);
      const started = performance.now();
      const response = await fetch(`${url}/returns?agency=north-kent-police`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'text/csv', 'x-file-name': `bench-${index}.csv`, authorization: `Bearer ${token}` },
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
