/**
 * The projector killed with SIGKILL in the middle of its work, again and again: each time it
 * starts again from its checkpoint, and in the end the read models equal a rebuild from zero,
 * row for row: nothing counted twice, nothing skipped.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openSqliteEventStore } from '@beacon/event-store-sqlite';
import { type EventData, eventId, streamOf, toEventToAppend } from '@beacon/events';
import { ReadModels } from '@beacon/read-models';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rebuild } from './projector.js';
import { readModelRows } from './test-support/read-model-rows.js';

const childScript = fileURLToPath(new URL('./test-support/project-forever.ts', import.meta.url));
const serviceDir = fileURLToPath(new URL('..', import.meta.url));
const RETURNS = 400;
const READINGS_PER_RETURN = 100;

let dir: string;
let storeFile: string;
let head: bigint;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'beacon-projector-crash-'));
  storeFile = join(dir, 'events.sqlite');
  const store = await openSqliteEventStore({ file: storeFile });
  const actor = { kind: 'person', id: 'analyst' } as const;
  // 400 returns of 100 monthly readings each: SAC for one borough over 100 months, later
  // returns correcting the months of earlier ones, so supersessions are projected too.
  for (let r = 0; r < RETURNS; r++) {
    const returnId = `police-${r}`;
    const recordedAt = new Date(Date.UTC(2009, 0, 1) + r * 3_600_000).toISOString();
    const area = r % 2 === 0 ? 'DBC' : 'GBC';
    function* events() {
      const received: EventData<'ReturnReceived'> = {
        returnId,
        agency: 'north-kent-police',
        fileName: `${returnId}.csv`,
        sha256: '0'.repeat(64),
        format: 'csv',
        readingCount: READINGS_PER_RETURN,
        period: { start: '2000-01-01', end: '2009-12-31' },
        recordedAt,
        actor,
      };
      yield toEventToAppend({ type: 'ReturnReceived', data: received }, eventId(returnId, 'received'));
      for (let i = 0; i < READINGS_PER_RETURN; i++) {
        const month = (r * 7 + i) % 120;
        const start = new Date(Date.UTC(2000, month, 1)).toISOString().slice(0, 10);
        const end = new Date(Date.UTC(2000, month + 1, 0)).toISOString().slice(0, 10);
        yield toEventToAppend(
          {
            type: 'ReadingRecorded',
            data: { returnId, row: i + 2, measureId: 'SAC', area, agency: 'north-kent-police', value: r + i, period: { start, end }, recordedAt, actor },
          },
          eventId(returnId, i + 2),
        );
        if (r >= 2) {
          // The same month was last sent by the return two before this one (same borough).
          const earlier = r - 2;
          const earlierRow = ((month - earlier * 7) % 120 + 120) % 120;
          if (earlierRow < READINGS_PER_RETURN) {
            yield toEventToAppend(
              {
                type: 'ReadingSuperseded',
                data: {
                  measureId: 'SAC',
                  area,
                  period: { start, end },
                  superseded: { returnId: `police-${earlier}`, row: earlierRow + 2, value: 0 },
                  by: { returnId, row: i + 2, value: r + i },
                  recordedAt,
                  actor,
                },
              },
              eventId(returnId, 'supersedes', i + 2),
            );
          }
        }
      }
    }
    await store.append(streamOf.return(returnId), events(), { expectedRevision: 'no_stream' });
  }
  head = await store.headPosition();
  await store.close();
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the projector until it has said `killAfter` lines, then kills it; resolves with what it said. */
function runProjector(readModelsFile: string, killAfter: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', childScript, storeFile, readModelsFile], { cwd: serviceDir, stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: string[] = [];
    let pending = '';
    let errors = '';
    child.stderr.on('data', (chunk: Buffer) => {
      errors += chunk;
    });
    child.stdout.on('data', (chunk: Buffer) => {
      pending += chunk;
      const complete = pending.split('\n');
      pending = complete.pop() ?? '';
      for (const line of complete) {
        lines.push(line);
        if (lines.length === killAfter || line.startsWith('caught-up')) child.kill('SIGKILL');
      }
    });
    child.on('exit', (_code, signal) => (signal === 'SIGKILL' ? resolve(lines) : reject(new Error(`projector exited by itself: ${errors}`))));
  });
}

describe('a projector killed mid-batch', () => {
  it('resumes from its checkpoint with no double counting and no gap', async () => {
    const file = join(dir, 'read-models.sqlite');
    const checkpoints: bigint[] = [];
    // Killed after its first, second, third... committed batch: SIGKILL lands while the next batch
    // is being written, whose transaction then never commits.
    for (let round = 1; ; round++) {
      const lines = await runProjector(file, 3);
      const started = BigInt(lines[0]!.split(' ')[1]!);
      checkpoints.push(started);
      if (lines.some((line) => line.startsWith('caught-up'))) break;
      expect(round).toBeLessThan(100);
    }
    // It was killed part-way at least twice, and each start began where the last committed batch ended.
    expect(checkpoints.length).toBeGreaterThan(2);
    expect(checkpoints[0]).toBe(0n);
    for (let i = 1; i < checkpoints.length; i++) expect(checkpoints[i]!).toBeGreaterThan(checkpoints[i - 1]!);

    const resumed = new ReadModels(file);
    expect(resumed.checkpoint()).toBe(head);
    const store = await openSqliteEventStore({ file: storeFile });
    const rebuiltFile = join(dir, 'rebuilt.sqlite');
    await rebuild(store, { kind: 'sqlite', file: rebuiltFile });
    await store.close();
    const rebuilt = new ReadModels(rebuiltFile);
    expect(readModelRows(resumed)).toEqual(readModelRows(rebuilt));
    expect(resumed.db.prepare('SELECT count(*) FROM readings').pluck().get()).toBe(RETURNS * READINGS_PER_RETURN);
    expect(resumed.db.prepare('SELECT count(*) FROM readings WHERE superseded_at IS NOT NULL').pluck().get()).toBeGreaterThan(10_000);
    resumed.close();
    rebuilt.close();
  }, 120_000);
});
