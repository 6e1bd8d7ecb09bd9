/**
 * ingestReturn killed with SIGKILL while it reads a large return and while it appends one: a
 * child process (test-support/ingest-forever.ts) ingests a generated police return of 20,000 to
 * 21,600 rows into a SQLite store already holding an earlier return (so the append carries
 * corrections too), and is killed at a chosen moment. After each kill the store must hold every
 * return whole or not at all, and ingesting the same file again must finish the job: the return
 * is stored whole, or found already received.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCatalogue } from '@beacon/catalogue';
import type { StoredEvent } from '@beacon/event-store';
import { openSqliteEventStore } from '@beacon/event-store-sqlite';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestReturn } from './ingest-return.js';
import { readingsOnRecord } from './readings-on-record.js';
import { returnIdOf } from './return-to-events.js';

const childScript = fileURLToPath(new URL('./test-support/ingest-forever.ts', import.meta.url));
const packageDir = fileURLToPath(new URL('..', import.meta.url));
const catalogue = loadCatalogue();

// ---------------------------------------------------------------------------------------------
// The returns: police measures for both boroughs over a run of months. Dates are read from 1900
// to 2099 only, so the 5 police measures x 2 areas x 2,400 months give at most 24,000 distinct
// readings, and any two returns of 20,000 rows overlap: each kill therefore gets a copy of a
// store holding one small earlier return (200 months from January 1900), and the large return
// killed corrects part of it. Each large return starts later and runs longer than the one
// before, so each is different; none repeats a measure, area and period.
// ---------------------------------------------------------------------------------------------

const MEASURES = ['SAC', 'NI15', 'NTE_VIOLENCE', 'DA_REPEAT', 'NTE_SHARE'] as const;
const AREAS = ['DBC', 'GBC'] as const;
const RATIO = new Set<string>(['DA_REPEAT', 'NTE_SHARE']);

interface GeneratedReturn {
  index: number;
  file: string;
  name: string;
  rows: number;
  returnId: string;
  /** Month numbers (0 = January 1900) the return covers. */
  months: Set<number>;
}

const pad2 = (n: number) => String(n).padStart(2, '0');

function policeReturnCsv(index: number, firstMonth: number, monthCount: number): string {
  const lines = ['\uFEFFmeasure,area,period_start,period_end,value,numerator,denominator,sample_size,note'];
  for (let m = firstMonth; m < firstMonth + monthCount; m++) {
    const year = 1900 + Math.floor(m / 12);
    const month = (m % 12) + 1;
    const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
    const period = `01/${pad2(month)}/${year},${pad2(last)}/${pad2(month)}/${year}`;
    MEASURES.forEach((measure, mi) => {
      AREAS.forEach((area, ai) => {
        if (RATIO.has(measure)) {
          const denominator = 40 + ((m + index + ai) % 160);
          const numerator = (m * 3 + index + mi) % (denominator + 1);
          // One decimal, as officers write it: within 0.05 of 100 x numerator / denominator.
          const value = Math.round((1000 * numerator) / denominator) / 10;
          lines.push(`${measure},${area},${period},${value},${numerator},${denominator},,`);
        } else {
          lines.push(`${measure},${area},${period},${(m * 7 + index * 13 + mi * 3 + ai) % 250},,,,`);
        }
      });
    });
  }
  return `${lines.join('\r\n')}\r\n`;
}

async function writeReturn(dir: string, index: number, firstMonth: number, monthCount: number): Promise<GeneratedReturn> {
  if (firstMonth + monthCount > 2_400) throw new Error('past December 2099');
  const rows = monthCount * MEASURES.length * AREAS.length;
  const name = `nkp-${index}-${rows}-rows.csv`;
  const text = policeReturnCsv(index, firstMonth, monthCount);
  const file = join(dir, name);
  await writeFile(file, text);
  const sha256 = createHash('sha256').update(text).digest('hex');
  const months = new Set(Array.from({ length: monthCount }, (_, i) => firstMonth + i));
  return { index, file, name, rows, returnId: returnIdOf('north-kent-police', sha256), months };
}

/** The corrections a return makes when the returns before it are stored: one per reading already on record. */
function correctionsOf(target: GeneratedReturn, storedBefore: GeneratedReturn[]): number {
  let months = 0;
  for (const month of target.months) if (storedBefore.some((earlier) => earlier.months.has(month))) months++;
  return months * MEASURES.length * AREAS.length;
}

// ---------------------------------------------------------------------------------------------
// Killing the child
// ---------------------------------------------------------------------------------------------

type Phase = 'reading' | 'appending';
interface KillPlan {
  phase: Phase;
  /** How far into the phase: a share of the rows read, or of the events the append takes. */
  at: number;
}

interface Killed {
  /** The last line the parent had read when it sent SIGKILL. */
  lastLine: string;
  /** True when the kill came only after the target's outcome: it missed its moment. */
  late: boolean;
}

function killDuring(storeFile: string, target: GeneratedReturn, events: number, plan: KillPlan): Promise<Killed> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', childScript, storeFile, target.file], { cwd: packageDir, stdio: ['ignore', 'pipe', 'pipe'] });
    let killed: Killed | undefined;
    let pending = '';
    let errors = '';
    const kill = (lastLine: string, late = false) => {
      if (killed) return;
      killed = { lastLine, late };
      child.kill('SIGKILL');
    };
    child.stderr.on('data', (chunk: Buffer) => {
      errors += chunk;
    });
    child.stdout.on('data', (chunk: Buffer) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        const [word, , count] = line.split(' ');
        const n = Number(count);
        if (plan.phase === 'reading' && word === 'read' && n >= plan.at * target.rows) kill(line);
        else if (plan.phase === 'appending' && plan.at === 0 && word === 'appending') kill(line);
        else if (plan.phase === 'appending' && word === 'appended-events' && n >= plan.at * events) kill(line);
        else if (word === 'outcome' || word === 'waiting') kill(line, true);
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL' && killed) resolve(killed);
      else reject(new Error(`the child ended on its own (code ${code}, signal ${signal}): ${errors}`));
    });
  });
}

// ---------------------------------------------------------------------------------------------
// What the store must hold
// ---------------------------------------------------------------------------------------------

interface StreamSummary {
  events: number;
  readingCount: number | undefined;
  readings: number;
  superseded: number;
  /** Problems found in the stream's events, as messages. */
  wrong: string[];
}

/** Events of one return stream, in revision order, summed up (data read as stored: the log is too long to validate every event). */
function summarise(events: StoredEvent[], returnId: string): StreamSummary {
  const summary: StreamSummary = { events: events.length, readingCount: undefined, readings: 0, superseded: 0, wrong: [] };
  events.forEach((event, i) => {
    const data = event.data as { readingCount?: number; returnId?: string; by?: { returnId?: string } };
    if (event.revision !== BigInt(i)) summary.wrong.push(`revision ${event.revision} at index ${i}`);
    if (i === 0) {
      if (event.type === 'ReturnReceived') summary.readingCount = data.readingCount;
      else summary.wrong.push(`it starts with ${event.type}, not ReturnReceived`);
    } else if (event.type === 'ReadingRecorded') {
      summary.readings++;
      if (data.returnId !== returnId) summary.wrong.push(`a reading of ${data.returnId}`);
    } else if (event.type === 'ReadingSuperseded') {
      summary.superseded++;
      if (data.by?.returnId !== returnId) summary.wrong.push(`a supersession by ${data.by?.returnId}`);
    } else {
      summary.wrong.push(`a ${event.type} at revision ${i}`);
    }
  });
  return summary;
}

function expectWhole(summary: StreamSummary, generated: GeneratedReturn, expectedEvents: number | undefined): void {
  expect(summary.wrong, `${generated.name}`).toEqual([]);
  expect(summary.readingCount, `readingCount of ${generated.name}`).toBe(generated.rows);
  expect(summary.readings, `ReadingRecorded in ${generated.name}`).toBe(generated.rows);
  expect(summary.events, `events of ${generated.name}`).toBe(expectedEvents);
}

/**
 * Checks the store file after a kill: the database is sound, and every stream in it is one whole
 * return of the files sent, with all its events (ReturnReceived with readingCount N, N
 * ReadingRecorded, one ReadingSuperseded per correction), so no reading is outside a complete
 * return. Returns the return ids it holds.
 */
async function expectWholeReturns(storeFile: string, returns: GeneratedReturn[], expectedEvents: Map<string, number>): Promise<Set<string>> {
  const db = new Database(storeFile);
  expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
  db.close();

  const store = await openSqliteEventStore({ file: storeFile });
  const streams = new Map<string, StoredEvent[]>();
  let last = 0n;
  try {
    for (let after = 0n; ; ) {
      const page = await store.readAll({ after, maxCount: 20_000 });
      if (page.length === 0) break;
      for (const stored of page) {
        if (stored.position <= last) expect.fail(`position ${stored.position} after ${last}`);
        last = stored.position;
        const events = streams.get(stored.stream);
        if (events) events.push(stored);
        else streams.set(stored.stream, [stored]);
      }
      after = last;
    }
    expect(await store.headPosition()).toBe(last);
  } finally {
    await store.close();
  }

  const byStream = new Map(returns.map((r) => [`return-${r.returnId}`, r]));
  const held = new Set<string>();
  for (const [stream, events] of streams) {
    const generated = byStream.get(stream);
    if (!generated) return expect.fail(`${stream} is not one of the returns sent`);
    expectWhole(summarise(events, generated.returnId), generated, expectedEvents.get(generated.returnId));
    held.add(generated.returnId);
  }
  return held;
}

async function headOf(storeFile: string): Promise<bigint> {
  const store = await openSqliteEventStore({ file: storeFile });
  try {
    return await store.headPosition();
  } finally {
    await store.close();
  }
}

async function ingestAgain(storeFile: string, generated: GeneratedReturn) {
  const store = await openSqliteEventStore({ file: storeFile });
  try {
    return await ingestReturn(
      {
        source: { stream: createReadStream(generated.file) },
        fileName: generated.name,
        agency: 'north-kent-police',
        submitter: { kind: 'person', id: 'nkp.analyst', agency: 'north-kent-police' },
      },
      { store, catalogue, readingsOnRecord: () => readingsOnRecord(store) },
    );
  } finally {
    await store.close();
  }
}

// ---------------------------------------------------------------------------------------------

/** One kill per large return: while reading, at the start of the append, and through it. */
const plans: KillPlan[] = [
  { phase: 'reading', at: 0.25 },
  { phase: 'appending', at: 0.3 },
  { phase: 'reading', at: 0.8 },
  { phase: 'appending', at: 0 },
  { phase: 'appending', at: 0.75 },
];

describe('ingestReturn killed with SIGKILL', () => {
  let dir: string;
  let earlier: GeneratedReturn;
  let large: GeneratedReturn[];
  let baseStore: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'beacon-ingest-crash-'));
    earlier = await writeReturn(dir, 99, 0, 200);
    large = await Promise.all(plans.map((_, i) => writeReturn(dir, i, 40 * i, 2_000 + 40 * i)));
    baseStore = join(dir, 'base.sqlite');
    expect((await ingestAgain(baseStore, earlier)).status).toBe('accepted');
    // Closed, the store is one file (its WAL checkpointed and removed): a copy of it is the store.
    expect(existsSync(`${baseStore}-wal`)).toBe(false);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('leaves every return whole or absent, and ingesting the same file again completes it', async () => {
    const log: string[] = [];
    let interruptedAppends = 0;

    for (const [round, plan] of plans.entries()) {
      const target = large[round] as GeneratedReturn;
      const storeFile = join(dir, `round-${round}.sqlite`);
      await copyFile(baseStore, storeFile);
      const events = 1 + target.rows + correctionsOf(target, [earlier]);
      const expectedEvents = new Map([
        [earlier.returnId, 1 + earlier.rows],
        [target.returnId, events],
      ]);
      const returns = [earlier, target];

      const killed = await killDuring(storeFile, target, events, plan);
      expect(killed.late, `round ${round}: the kill came after ${target.name} was done (${killed.lastLine})`).toBe(false);
      const held = await expectWholeReturns(storeFile, returns, expectedEvents);
      expect(held.has(earlier.returnId)).toBe(true);
      const targetHeld = held.has(target.returnId);
      if (plan.phase === 'reading') expect(targetHeld, `round ${round}: killed while reading, yet ${target.name} was stored`).toBe(false);
      else if (!targetHeld) interruptedAppends++;

      // The same ingest again: the killed return is stored whole (or found stored); the earlier one is already received.
      const headBefore = await headOf(storeFile);
      const again = await ingestAgain(storeFile, target);
      expect(again.status, `round ${round}: ingesting ${target.name} again`).toBe(targetHeld ? 'already-received' : 'accepted');
      expect('readings' in again && again.readings).toBe(target.rows);
      expect(await headOf(storeFile)).toBe(headBefore + (targetHeld ? 0n : BigInt(events)));
      expect((await ingestAgain(storeFile, earlier)).status).toBe('already-received');
      expect([...(await expectWholeReturns(storeFile, returns, expectedEvents))].sort()).toEqual([earlier.returnId, target.returnId].sort());
      log.push(`${target.name} (${events} events): killed at "${killed.lastLine}": ${targetHeld ? 'stored' : 'not stored'}; ingested again: ${again.status}`);
    }

    console.info(`${log.join('\n')}\n${interruptedAppends} of ${plans.filter((p) => p.phase === 'appending').length} kills during an append interrupted it`);
    expect(interruptedAppends).toBeGreaterThan(0);
  }, 120_000);
});
