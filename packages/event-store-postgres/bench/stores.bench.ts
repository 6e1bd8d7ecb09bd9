/**
 * SQLite and PostgreSQL side by side in one run: append BENCH_EVENTS events (1,000,000 by
 * default) in 1,000-event appends, one return stream each, then replay the whole log as the
 * projector does (logPages, 1,000-event pages), touching the parsed data. Prints events/s for each store, PostgreSQL's
 * ratio to SQLite, and peak RSS. Goals for PostgreSQL: ≥ 30,000 events/s appended, ≥ 100,000
 * events/s replayed. Asserts nothing. PostgreSQL is the test server (see test-support), in a
 * scratch database dropped afterwards.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EventStore, type EventToAppend, logPages } from '@beacon/event-store';
import { openSqliteEventStore } from '@beacon/event-store-sqlite';
import { openPostgresEventStore } from '../src/postgres-event-store.js';
import { createTestDatabase } from '../src/test-support/test-database.js';

const totalEvents = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const appendSize = 1_000;
const appends = Math.max(1, Math.round(totalEvents / appendSize));

/** Shaped like Beacon's ReadingRecorded: about 300 bytes of JSON (as in the SQLite benchmark). */
function returnEvents(returnId: string): EventToAppend[] {
  return Array.from({ length: appendSize }, (_, row) => ({
    id: randomUUID(),
    type: 'ReadingRecorded',
    data: {
      measureId: 'asb-incidents-per-1000-population',
      area: 'E07000107',
      periodStart: '2024-04-01',
      periodEnd: '2024-06-30',
      value: Math.round(Math.random() * 10_000) / 100,
      numerator: 1_000 + row,
      denominator: 112_000,
      returnId,
      row,
      recordedAt: '2024-07-15T09:30:00.000Z',
      actor: 'performance.analyst@dartford.gov.uk',
    },
  }));
}

interface Figures {
  append: number;
  replay: number;
  rssMb: number;
}

const rate = (events: number, ms: number) => (events / ms) * 1000;
const format = (perSecond: number) => `${Math.round(perSecond).toLocaleString('en-GB')} events/s`;
const peakRssMb = () => Math.round((process.resourceUsage().maxRSS * 1024) / 1024 / 1024);

async function measure(name: string, store: EventStore): Promise<Figures> {
  let appendMs = 0;
  for (let i = 0; i < appends; i++) {
    const returnId = randomUUID();
    const events = returnEvents(returnId);
    const started = performance.now();
    await store.append(`return-${returnId}`, events, { expectedRevision: 'no_stream' });
    appendMs += performance.now() - started;
  }
  const appended = appends * appendSize;
  console.info(`  ${name}: appended ${appended.toLocaleString('en-GB')} events, ${format(rate(appended, appendMs))}`);

  const started = performance.now();
  let replayed = 0;
  let total = 0;
  // As the projector replays the log: 1,000-event pages, the next asked for while one is read.
  for await (const page of logPages(store, 0n, 1_000)) {
    for (const event of page) total += (event.data as { value: number }).value;
    replayed += page.length;
  }
  const replayMs = performance.now() - started;
  if (replayed !== appended) throw new Error(`${name} replayed ${replayed} events, not ${appended}`);
  console.info(`  ${name}: replayed ${format(rate(replayed, replayMs))} (sum of values ${Math.round(total)})`);
  await store.close();
  return { append: rate(appended, appendMs), replay: rate(replayed, replayMs), rssMb: peakRssMb() };
}

async function main(): Promise<void> {
  console.info(`Event stores side by side: ${(appends * appendSize).toLocaleString('en-GB')} events in ${appendSize}-event appends, then replayed`);
  const dir = mkdtempSync(join(tmpdir(), 'beacon-stores-bench-'));
  const database = await createTestDatabase();
  try {
    const sqlite = await measure('SQLite', await openSqliteEventStore({ file: join(dir, 'events.sqlite') }));
    const postgres = await measure('PostgreSQL', await openPostgresEventStore({ connectionString: database.url }));
    const rows = [
      ['append', format(sqlite.append), format(postgres.append), (postgres.append / sqlite.append).toFixed(2), '≥ 30,000 events/s'],
      ['replay (logPages, parsed)', format(sqlite.replay), format(postgres.replay), (postgres.replay / sqlite.replay).toFixed(2), '≥ 100,000 events/s'],
      ['peak RSS after the store', `${sqlite.rssMb} MB`, `${postgres.rssMb} MB`, '', ''],
    ];
    const header = ['measure', 'SQLite', 'PostgreSQL', 'PostgreSQL/SQLite', 'goal (PostgreSQL)'];
    const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => (row[i] ?? '').length)));
    const line = (cells: string[]) => `| ${cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join(' | ')} |`;
    console.info(`\n${line(header)}\n|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`);
    for (const row of rows) console.info(line(row));
    console.info('(Peak RSS is the process\'s high-water mark: PostgreSQL\'s figure includes the SQLite run before it.)');
  } finally {
    await database.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
