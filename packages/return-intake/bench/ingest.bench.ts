/**
 * Return intake end to end on this machine: a large valid return read from a file stream,
 * checked and appended whole to a fresh SQLite store; then the same return with an error in its
 * last row. Prints figures beside their goals; asserts nothing.
 * `npm run bench -- ingest`; BENCH_ROWS=100000 for a quick run (default 1,000,000).
 *
 * Why KCVS survey readings and not police ones: a return may not give the same measure, area
 * and period twice, and dates are read only from 1900 to 2099 (packages/returns/src/cells.ts),
 * so monthly police measures have at most 200 years x 12 months = 2,400 periods: SAC, NI15 and
 * NTE_VIOLENCE for DBC and GBC give 14,400 distinct rows, all five police measures 24,000. A
 * survey wave may be any fieldwork period up to two years (packages/periods), so KCVS's 16
 * survey measures x 2 areas x one-day waves from 1 January 1900 give a million distinct rows
 * (31,250 days, to 1985) shaped like a police row: a measure, an area, two dates, a figure and
 * a whole number (the sample size).
 */
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { loadCatalogue } from '@beacon/catalogue';
import type { EventStore } from '@beacon/event-store';
import { openSqliteEventStore } from '@beacon/event-store-sqlite';
import { readReturn } from '@beacon/returns';
import { checkReturn, type IngestOutcome, ingestReturn, readingsOnRecord } from '../src/index.js';

const totalRows = Number(process.env.BENCH_ROWS ?? 1_000_000);
const AGENCY = 'kcvs';
const AREAS = ['DBC', 'GBC'] as const;
const catalogue = loadCatalogue();
const agency =
  catalogue.agency(AGENCY) ??
  (() => {
    throw new Error(`no agency ${AGENCY} in the catalogue`);
  })();
const measures = catalogue
  .measuresOwnedBy(AGENCY)
  .filter((m) => m.subMeasures.length === 0 && m.frequency === 'survey_wave')
  .map((m) => m.id);
const perDay = measures.length * AREAS.length;
const daysNeeded = Math.ceil(totalRows / perDay);
const firstDay = Date.UTC(1900, 0, 1);
if (firstDay + daysNeeded * 86_400_000 > Date.UTC(2100, 0, 1)) {
  throw new Error(`${totalRows} rows need ${daysNeeded} days from 1900: past 2099, which returns cannot hold`);
}

const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));
function ukDate(day: number): string {
  const date = new Date(firstDay + day * 86_400_000);
  return `${pad2(date.getUTCDate())}/${pad2(date.getUTCMonth() + 1)}/${date.getUTCFullYear()}`;
}

/** Writes the return as Excel saves "CSV UTF-8": a BOM, CRLF. With `badLastRow`, the last row names an area that does not exist. */
async function writeReturn(file: string, rows: number, badLastRow: boolean): Promise<void> {
  const out = createWriteStream(file);
  let chunk = '\uFEFFmeasure,area,period_start,period_end,value,numerator,denominator,sample_size,note\r\n';
  // The figures' texts are made once: a number turned into text row by row goes through V8's
  // number-to-string cache, whose turnover left ~40 MB of garbage in the old generation, counted
  // in the peak RSS measured below (or not, as collections fell) though none of it is the intake's.
  const values = Array.from({ length: 1_000 }, (_, k) => String(k / 10));
  const sampleSizes = Array.from({ length: 251 }, (_, k) => String(350 + k));
  let date = '';
  for (let i = 0; i < rows; i++) {
    if (i % perDay === 0) date = ukDate(i / perDay);
    const measure = measures[i % measures.length];
    const area = badLastRow && i === rows - 1 ? 'Dartfrod' : AREAS[Math.floor(i / measures.length) % AREAS.length];
    const value = values[(i * 7_919) % 1_000];
    const sampleSize = sampleSizes[i % 251];
    chunk += `${measure},${area},${date},${date},${value},,,${sampleSize},\r\n`;
    if (chunk.length > 1 << 16) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
}

interface Row {
  measure: string;
  figure: string;
  goal: string;
}
const table: Row[] = [];
const report = (measure: string, figure: string, goal = '') => {
  table.push({ measure, figure, goal });
  console.info(`  ${measure}: ${figure}`);
};
const perSecond = (count: number, ms: number) => `${Math.round((count / ms) * 1000).toLocaleString('en-GB')} rows/s`;
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const megabytes = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;
const peakRss = () => process.resourceUsage().maxRSS * 1024;

/** The store, with the time spent in append measured. */
function timedAppends(store: EventStore): { store: EventStore; appendMs: () => number } {
  let ms = 0;
  const timed: EventStore = {
    async append(...args) {
      const started = performance.now();
      try {
        return await store.append(...args);
      } finally {
        ms += performance.now() - started;
      }
    },
    readStream: (...args) => store.readStream(...args),
    streamRevision: (...args) => store.streamRevision(...args),
    readAll: (...args) => store.readAll(...args),
    subscribe: (...args) => store.subscribe(...args),
    headPosition: () => store.headPosition(),
    close: () => store.close(),
  };
  return { store: timed, appendMs: () => ms };
}

async function ingestFile(file: string, storeFile: string): Promise<{ outcome: IngestOutcome; ms: number; appendMs: number; head: bigint }> {
  const sqlite = await openSqliteEventStore({ file: storeFile });
  const { store, appendMs } = timedAppends(sqlite);
  try {
    const started = performance.now();
    const outcome = await ingestReturn(
      {
        source: { stream: createReadStream(file) },
        fileName: 'kcvs-bench.csv',
        agency: AGENCY,
        submitter: { kind: 'person', id: 'kcvs.research', agency: AGENCY },
      },
      { store, catalogue, readingsOnRecord: () => readingsOnRecord(store) },
    );
    const ms = performance.now() - started;
    return { outcome, ms, appendMs: appendMs(), head: await sqlite.headPosition() };
  } finally {
    await sqlite.close();
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'beacon-ingest-bench-'));
  try {
    const validFile = join(dir, 'valid.csv');
    const badFile = join(dir, 'bad-last-row.csv');
    let started = performance.now();
    await writeReturn(validFile, totalRows, false);
    await writeReturn(badFile, totalRows, true);
    const size = statSync(validFile).size;
    console.info(
      `Beacon return intake benchmark: ${totalRows.toLocaleString('en-GB')} rows (${megabytes(size)} of CSV; ${measures.length} KCVS measures x ${AREAS.length} areas x ${daysNeeded.toLocaleString('en-GB')} one-day waves from 01/01/1900), written in ${seconds(performance.now() - started)}`,
    );
    const rssBefore = peakRss();

    // 1. The valid return, end to end, into a fresh store.
    const valid = await ingestFile(validFile, join(dir, 'valid.sqlite'));
    if (valid.outcome.status !== 'accepted') throw new Error(`the valid return was not accepted: ${JSON.stringify(valid.outcome).slice(0, 2_000)}`);
    if (valid.head !== BigInt(totalRows + 1)) throw new Error(`expected ${totalRows + 1} events stored, found ${valid.head}`);
    report('valid return, end to end (stream → read → check → append)', perSecond(totalRows, valid.ms), '≥ 80,000 rows/s');
    report('  its wall time', seconds(valid.ms));
    report('  of which the append (one transaction)', `${seconds(valid.appendMs)}, ${perSecond(totalRows, valid.appendMs)}`);
    report('  of which reading, checking, hashing', `${seconds(valid.ms - valid.appendMs)}, ${perSecond(totalRows, valid.ms - valid.appendMs)}`);
    report('peak RSS after the valid return', megabytes(peakRss()), '< 300 MB');
    report('  (peak RSS before it: generating the files)', megabytes(rssBefore));

    // 2. The same return with an error in its last row: everything is read and checked, nothing stored.
    const bad = await ingestFile(badFile, join(dir, 'bad.sqlite'));
    if (bad.outcome.status !== 'rejected') throw new Error(`the return with a bad last row was not rejected: ${bad.outcome.status}`);
    const [problem] = bad.outcome.problems;
    report('return with an error in its last row: time to rejection', seconds(bad.ms), `≤ valid (${seconds(valid.ms)})`);
    report('  its rows/s', perSecond(totalRows, bad.ms));
    report(
      '  stored',
      bad.head === 0n ? 'nothing (head position 0)' : `${bad.head} events: SHOULD BE NOTHING`,
      'nothing',
    );
    report('  problem reported', problem ? `row ${problem.row}, ${problem.column} "${problem.value}": ${problem.reason}` : 'none: SHOULD BE ONE');
    report('peak RSS after the rejected return', megabytes(peakRss()), '< 300 MB');

    // 3. Breakdown: reading alone, then reading and checking, from the same file stream.
    started = performance.now();
    let rows = 0;
    for await (const item of readReturn({ stream: createReadStream(validFile) }, { fileName: 'kcvs-bench.csv' })) if (item.kind === 'row') rows++;
    const readMs = performance.now() - started;
    if (rows !== totalRows) throw new Error(`read ${rows} rows, expected ${totalRows}`);
    report('breakdown: read only (readReturn: CSV parse + row schema)', perSecond(totalRows, readMs));

    started = performance.now();
    const checked = await checkReturn(readReturn({ stream: createReadStream(validFile) }, { fileName: 'kcvs-bench.csv' }), agency, catalogue);
    const checkMs = performance.now() - started;
    if (checked.readings.length !== totalRows) throw new Error(`checked ${checked.readings.length} readings, expected ${totalRows}`);
    report('breakdown: read + check (checkReturn)', perSecond(totalRows, checkMs));
    report('breakdown: check alone (the difference)', perSecond(totalRows, checkMs - readMs));
    report('breakdown: append alone (from run 1)', perSecond(totalRows, valid.appendMs));
    report('peak RSS overall', megabytes(peakRss()), '< 300 MB');

    printTable();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function printTable(): void {
  const widths = [Math.max(...table.map((r) => r.measure.length)), Math.max(...table.map((r) => r.figure.length))];
  const line = (a: string, b: string, c: string) => `| ${a.padEnd(widths[0] ?? 0)} | ${b.padStart(widths[1] ?? 0)} | ${c}`;
  console.info(`\n${line('measure', 'figure', 'goal')}`);
  console.info(`|${'-'.repeat((widths[0] ?? 0) + 2)}|${'-'.repeat((widths[1] ?? 0) + 2)}|------`);
  for (const row of table) console.info(line(row.measure, row.figure, row.goal));
}

await main();
