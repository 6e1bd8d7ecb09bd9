/**
 * Event-store throughput and latency on this machine. Prints figures beside their goals;
 * asserts nothing. BENCH_EVENTS=100000 for a quick run (default 1,000,000).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventToAppend, StoredEvent } from '@beacon/event-store';
import Database from 'better-sqlite3';
import { openDatabase } from '../src/connection.js';
import { openSqliteEventStore } from '../src/sqlite-event-store.js';

const totalEvents = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const appendSize = 1_000;
const streamCount = Math.max(1, Math.round(totalEvents / appendSize));
const latencySamples = 300;
/** The raw baselines are slow to build at full size and only show proportions. */
const rawEvents = Math.max(appendSize, Math.round(totalEvents / 4 / appendSize) * appendSize);

interface Row {
  measure: string;
  figure: string;
  goal: string;
}
const rows: Row[] = [];
const report = (measure: string, figure: string, goal = '') => {
  rows.push({ measure, figure, goal });
  console.info(`  ${measure}: ${figure}`);
};

/** Shaped like Beacon's ReadingRecorded: about 300 bytes of JSON. */
function reading(returnId: string, row: number): EventToAppend {
  return {
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
  };
}

function returnStream(): { stream: string; events: EventToAppend[] } {
  const returnId = randomUUID();
  return { stream: `return-${returnId}`, events: Array.from({ length: appendSize }, (_, row) => reading(returnId, row)) };
}

const perSecond = (count: number, ms: number) => `${Math.round((count / ms) * 1000).toLocaleString('en-GB')} events/s`;
const megabytes = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? NaN;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'beacon-bench-'));
  try {
    const file = join(dir, 'events.sqlite');
    const store = await openSqliteEventStore({ file });
    const sampleSize = JSON.stringify(reading(randomUUID(), 1).data).length;
    console.info(`Beacon event store benchmark: ${totalEvents.toLocaleString('en-GB')} events of ~${sampleSize} bytes of JSON data`);

    // Append through the port: one append of appendSize events per return stream.
    let appendMs = 0;
    let firstAppendsMs = 0;
    for (let i = 0; i < streamCount; i++) {
      const { stream, events } = returnStream();
      const started = performance.now();
      await store.append(stream, events, { expectedRevision: 'no_stream' });
      appendMs += performance.now() - started;
      if ((i + 1) * appendSize === rawEvents) firstAppendsMs = appendMs;
    }
    report(`append (${appendSize}-event appends, ${streamCount} streams)`, perSecond(streamCount * appendSize, appendMs), '≥ 150,000 events/s');
    report(`  of which the first ${rawEvents.toLocaleString('en-GB')} events`, perSecond(rawEvents, firstAppendsMs), 'compare with raw below');
    report('peak RSS after appending', megabytes(process.resourceUsage().maxRSS * 1024), '< 250 MB');
    const storedEvents = Number(await store.headPosition());

    // Read the whole log in global order, page by page, touching the parsed data.
    let started = performance.now();
    let read = 0;
    let total = 0;
    for (let after = 0n; ; ) {
      const page = await store.readAll({ after, maxCount: 1_000 });
      const last = page.at(-1);
      if (!last) break;
      for (const event of page) total += (event.data as { value: number }).value;
      read += page.length;
      after = last.position;
    }
    report('readAll, parsed, 1,000-event pages', perSecond(read, performance.now() - started), '≥ 300,000 events/s');

    // Catch up a subscriber that checkpoints every batch in a database of its own.
    const checkpoints = new Database(join(dir, 'checkpoints.sqlite'));
    checkpoints.pragma('journal_mode = WAL');
    checkpoints.pragma('synchronous = NORMAL');
    checkpoints.exec('CREATE TABLE checkpoints (name TEXT PRIMARY KEY, position INTEGER NOT NULL) STRICT');
    const saveCheckpoint = checkpoints.prepare(
      'INSERT INTO checkpoints (name, position) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET position = excluded.position',
    );
    started = performance.now();
    let caughtUp = 0;
    await new Promise<void>((resolve, reject) => {
      const subscription = store.subscribe({
        after: 0n,
        onEvents: (batch: StoredEvent[]) => {
          for (const event of batch) total += (event.data as { value: number }).value;
          caughtUp += batch.length;
          saveCheckpoint.run('bench', (batch.at(-1) as StoredEvent).position);
          if (caughtUp === storedEvents) subscription.stop().then(resolve);
        },
      });
      subscription.closed.catch(reject);
    });
    report('subscription catch-up, checkpoint per 1,000-event batch', perSecond(caughtUp, performance.now() - started), '≥ 200,000 events/s');
    checkpoints.close();

    // Latency of small appends on the full store, at both durability settings.
    for (const synchronous of ['normal', 'full'] as const) {
      const latencyStore = synchronous === 'normal' ? store : await openSqliteEventStore({ file, synchronous });
      const latencies: number[] = [];
      for (let i = 0; i < latencySamples; i++) {
        const returnId = randomUUID();
        const events = Array.from({ length: 50 }, (_, row) => reading(returnId, row));
        const appendStarted = performance.now();
        await latencyStore.append(`small-${returnId}`, events, { expectedRevision: 'no_stream' });
        latencies.push(performance.now() - appendStarted);
      }
      latencies.sort((a, b) => a - b);
      const label = synchronous === 'normal' ? '(default)' : '(reference: survives power loss)';
      report(
        `50-event append latency, synchronous=${synchronous.toUpperCase()} ${label}`,
        `p50 ${percentile(latencies, 50).toFixed(2)} ms, p99 ${percentile(latencies, 99).toFixed(2)} ms`,
      );
      if (latencyStore !== store) await latencyStore.close();
    }
    await store.close();
    report('peak RSS overall', megabytes(process.resourceUsage().maxRSS * 1024), '< 250 MB');

    const oneStream = (transaction: number, row: number): [number, number] => [transaction, row];
    rawBaseline(join(dir, 'raw.sqlite'), 'one stream per transaction', oneStream);
    rawBaseline(join(dir, 'raw-interleaved.sqlite'), `interleaved over ${appendSize} streams`, (transaction, row) => [row, transaction]);
    // What the per-stream id index costs: the same rows without it.
    rawBaseline(join(dir, 'raw-no-id-index.sqlite'), 'one stream per transaction, no id index', oneStream, { withIdIndex: false });

    printTable();
    // Using what was read keeps the reads honest.
    console.info(`\n(sum of the values read: ${Math.round(total)})`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * better-sqlite3 without the port, same schema and pragmas, 1,000 rows per transaction.
 * `place` maps (transaction, row) to (stream index, revision). Unlike the port, which has a
 * worker thread checkpoint, these appends wait for their own checkpoints.
 */
function rawBaseline(
  file: string,
  label: string,
  place: (transaction: number, row: number) => [number, number],
  { withIdIndex = true } = {},
): void {
  const db = openDatabase(file, 'normal');
  // By name, so that renaming the index in the schema fails here rather than measuring nothing.
  if (!withIdIndex) db.exec('DROP INDEX events_by_stream_and_id');
  const addStream = db.prepare('INSERT INTO streams (name) VALUES (?)');
  const insert = db.prepare('INSERT INTO events (stream, revision, id, type, data, metadata, stored_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const transactions = rawEvents / appendSize;
  const streams = Array.from({ length: Math.max(transactions, appendSize) }, () => `return-${randomUUID()}`);
  // Each stream's key, once its row is written (in the transaction of its first event, as the port does).
  const keys: number[] = [];
  const appendAll = db.transaction((transaction: number, events: EventToAppend[], storedAt: string) => {
    events.forEach((event, row) => {
      const [stream, revision] = place(transaction, row);
      keys[stream] ??= Number(addStream.run(streams[stream]).lastInsertRowid);
      insert.run(keys[stream], revision, event.id, event.type, JSON.stringify(event.data), null, storedAt);
    });
  });
  let ms = 0;
  for (let transaction = 0; transaction < transactions; transaction++) {
    const { events } = returnStream();
    const started = performance.now();
    appendAll(transaction, events, new Date().toISOString());
    ms += performance.now() - started;
  }
  db.close();
  report(`raw insert of ${rawEvents.toLocaleString('en-GB')}: ${label}`, perSecond(rawEvents, ms), 'reference');
}

function printTable(): void {
  const widths = [Math.max(...rows.map((r) => r.measure.length)), Math.max(...rows.map((r) => r.figure.length))];
  const line = (a: string, b: string, c: string) => `| ${a.padEnd(widths[0] ?? 0)} | ${b.padStart(widths[1] ?? 0)} | ${c}`;
  console.info(`\n${line('measure', 'figure', 'goal')}`);
  console.info(`|${'-'.repeat((widths[0] ?? 0) + 2)}|${'-'.repeat((widths[1] ?? 0) + 2)}|------`);
  for (const row of rows) console.info(line(row.measure, row.figure, row.goal));
}

await main();
