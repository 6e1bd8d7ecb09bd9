/**
 * Projection into the read models, SQLite beside PostgreSQL: BENCH_EVENTS events (100,000 by
 * default) in 1,000-event batches, each batch its own transaction as the projector following the
 * log writes them; then PostgreSQL's rebuild (a fresh schema, put in place at the end). The log
 * is returns of 500 monthly readings each (3 areas × 20 measures over the months), one return in
 * ten a resend that corrects 50 readings of the one before. Decoding is included, as in `project`.
 * Prints events/s and peak RSS. Asserts nothing. PostgreSQL is the test server (see
 * @beacon/event-store-postgres's test-support), in a scratch database dropped afterwards.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LoggedEvent, type StoredEvent } from '@beacon/event-store';
import { createTestDatabase } from '@beacon/event-store-postgres/test-support';
import { type RecordKeeper, ReadModels } from '@beacon/read-models';
import { PostgresReadModels } from '../src/postgres-read-models.js';

const totalEvents = Number(process.env.BENCH_EVENTS ?? 100_000);
const batchSize = 1_000;
const readingsPerReturn = 500;
const areas = ['DBC', 'GBC', 'DGCDRP'];
const measures = Array.from({ length: 20 }, (_, i) => `M${i + 1}`);
const actor = { kind: 'person', id: 'nkp.analyst', agency: 'north-kent-police' };
const metadata = { schemaVersion: 1 };

function monthOf(index: number): { start: string; end: string } {
  const year = 2000 + Math.floor(index / 12);
  const month = (index % 12) + 1;
  const end = new Date(Date.UTC(year, month, 0)).toISOString().slice(0, 10);
  return { start: `${year}-${String(month).padStart(2, '0')}-01`, end };
}

/** The log, shaped as intake writes it. */
function logOf(total: number): StoredEvent[] {
  const events: StoredEvent[] = [];
  let position = 0n;
  const add = (stream: string, type: string, data: unknown) => {
    position++;
    events.push(new LoggedEvent(position, stream, 0n, crypto.randomUUID(), type, data, metadata, '2024-01-01T00:00:00.000Z'));
  };
  let series = 0;
  for (let r = 0; events.length < total; r++) {
    const returnId = `return-${r}`;
    const recordedAt = new Date(Date.UTC(2001, 0, 1) + r * 3_600_000).toISOString();
    const resend = r % 10 === 9;
    const month = monthOf(Math.floor(series / (areas.length * measures.length)));
    add(returnId, 'ReturnReceived', {
      returnId,
      agency: 'north-kent-police',
      fileName: `${returnId}.csv`,
      sha256: 'a'.repeat(64),
      format: 'csv',
      readingCount: resend ? 50 : readingsPerReturn,
      period: month,
      recordedAt,
      actor,
    });
    if (resend) {
      // Corrects the first 50 readings of the return before.
      for (let row = 2; row < 52; row++) {
        const earlier = { returnId: `return-${r - 1}`, row, value: row };
        const slot = series - readingsPerReturn + row - 2;
        const measureId = measures[slot % measures.length] as string;
        const area = areas[Math.floor(slot / measures.length) % areas.length] as string;
        const period = monthOf(Math.floor(slot / (areas.length * measures.length)));
        add(returnId, 'ReadingSuperseded', { measureId, area, superseded: earlier, by: { returnId, row, value: row + 1 }, period, recordedAt, actor });
        add(returnId, 'ReadingRecorded', { returnId, row, measureId, area, agency: 'north-kent-police', value: row + 1, numerator: row + 1, denominator: 1000, period, recordedAt, actor });
      }
      continue;
    }
    for (let row = 2; row < readingsPerReturn + 2; row++, series++) {
      const measureId = measures[series % measures.length] as string;
      const area = areas[Math.floor(series / measures.length) % areas.length] as string;
      const period = monthOf(Math.floor(series / (areas.length * measures.length)));
      add(returnId, 'ReadingRecorded', { returnId, row, measureId, area, agency: 'north-kent-police', value: row, period, recordedAt, actor });
    }
  }
  return events.slice(0, total);
}

const rate = (events: number, ms: number) => `${Math.round((events / ms) * 1000).toLocaleString('en-GB')} events/s`;
const peakRssMb = () => Math.round(process.resourceUsage().maxRSS / 1024);

async function timed(keeper: RecordKeeper, events: readonly StoredEvent[]): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < events.length; i += batchSize) await keeper.project(events.slice(i, i + batchSize));
  return performance.now() - started;
}

async function main(): Promise<void> {
  const events = logOf(totalEvents);
  console.info(`Read models: ${events.length.toLocaleString('en-GB')} events in ${batchSize}-event batches (peak RSS with the log in memory: ${peakRssMb()} MB)`);
  const dir = mkdtempSync(join(tmpdir(), 'beacon-read-models-bench-'));
  const database = await createTestDatabase();
  try {
    const sqlite = new ReadModels(join(dir, 'read-models.sqlite'));
    const sqliteMs = await timed(sqlite, events);
    sqlite.close();
    console.info(`  SQLite, a transaction per batch:     ${rate(events.length, sqliteMs)} (peak RSS ${peakRssMb()} MB)`);

    const following = await PostgresReadModels.open({ url: database.url, schema: 'beacon_records' });
    const followMs = await timed(following, events);
    await following.close();
    console.info(`  PostgreSQL, a transaction per batch: ${rate(events.length, followMs)} (peak RSS ${peakRssMb()} MB)`);

    const rebuild = await PostgresReadModels.rebuilding({ url: database.url, schema: 'beacon_records' });
    let rebuildMs = await timed(rebuild, events);
    const replacing = performance.now();
    await rebuild.replaceOriginal();
    rebuildMs += performance.now() - replacing;
    await rebuild.close();
    console.info(`  PostgreSQL rebuild, put in place:    ${rate(events.length, rebuildMs)} (peak RSS ${peakRssMb()} MB)`);
  } finally {
    await database.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
