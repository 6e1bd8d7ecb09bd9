import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StoredEvent } from '@beacon/event-store';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteEventStore } from './sqlite-event-store.js';

const writerScript = fileURLToPath(new URL('./test-support/append-forever.ts', import.meta.url));
const packageDir = fileURLToPath(new URL('..', import.meta.url));

/**
 * When to kill, as a share of the writer's first append's duration per event, applied to its
 * second append. The first append runs on cold code and takes longer, so these spread from early
 * in the second append to about its end.
 */
const killMoments = [0.05, 0.2, 0.4, 0.55, 0.7];

interface Killed {
  /** The stream whose append was announced but not acknowledged when the kill was sent. */
  inProgress: string | undefined;
  /** Streams whose append the writer saw acknowledged. */
  acknowledged: string[];
}

/** Runs the writer until it announces its second append, then kills it `moment` of the way through. */
function killDuringAppend(file: string, moment: number, padding = 0): Promise<Killed> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', writerScript, file, String(padding)], {
      cwd: packageDir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const acknowledged: string[] = [];
    let inProgress: string | undefined;
    let killed: Killed | undefined;
    let firstStarted = 0;
    let firstCount = 0;
    let msPerEvent = 0;
    let pending = '';
    let errors = '';
    child.stderr.on('data', (chunk: Buffer) => {
      errors += chunk;
    });
    child.stdout.on('data', (chunk: Buffer) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        const [word, stream, count] = line.split(' ');
        if (!stream) continue;
        if (word === 'appended') {
          acknowledged.push(stream);
          inProgress = undefined;
          if (acknowledged.length === 1) msPerEvent = (performance.now() - firstStarted) / firstCount;
        } else if (word === 'appending') {
          inProgress = stream;
          if (acknowledged.length === 0) {
            firstStarted = performance.now();
            firstCount = Number(count);
          } else if (acknowledged.length === 1) {
            setTimeout(() => {
              killed = { inProgress, acknowledged: [...acknowledged] };
              child.kill('SIGKILL');
            }, moment * msPerEvent * Number(count));
          }
        }
      }
    });
    child.on('error', reject);
    child.on('exit', (_code, signal) => {
      if (signal === 'SIGKILL' && killed) resolve(killed);
      else reject(new Error(`the writer ended on its own (signal ${signal}): ${errors}`));
    });
  });
}

/** Checks the file after a crash; returns the streams it holds. */
async function expectWholeAppends(file: string, acknowledged: string[]): Promise<Set<string>> {
  const db = new Database(file);
  expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
  db.close();

  const store = await openSqliteEventStore({ file });
  const counts = new Map<string, { expected: number; revisions: bigint[] }>();
  let previous = 0n;
  for (let after = 0n; ; ) {
    const page = await store.readAll({ after, maxCount: 10_000 });
    const last = page.at(-1);
    if (!last) break;
    for (const event of page) {
      // Rolled-back appends leave no gap: SQLite reuses their positions.
      expect(event.position).toBe(previous + 1n);
      previous = event.position;
      const stream = counts.get(event.stream) ?? { expected: (event.data as { count: number }).count, revisions: [] };
      stream.revisions.push(event.revision);
      counts.set(event.stream, stream);
    }
    after = last.position;
  }
  expect(await store.headPosition()).toBe(previous);
  for (const [stream, { expected, revisions }] of counts) {
    expect(revisions.length, `events in ${stream}`).toBe(expected);
    expect(revisions.every((revision, i) => revision === BigInt(i)), `revisions of ${stream}`).toBe(true);
  }
  for (const stream of acknowledged) expect(counts.has(stream), `acknowledged ${stream}`).toBe(true);
  await store.close();
  return new Set(counts.keys());
}

describe('a writer killed with SIGKILL', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'beacon-crash-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('leaves every append whole or absent, loses no acknowledged append, and the store goes on working', async () => {
    const file = join(dir, 'events.sqlite');
    let interrupted = 0;
    for (const moment of killMoments) {
      const { inProgress, acknowledged } = await killDuringAppend(file, moment);
      const streams = await expectWholeAppends(file, acknowledged);
      if (inProgress && !streams.has(inProgress)) interrupted++;
    }
    console.info(`${interrupted} of ${killMoments.length} kills interrupted an append before it committed`);
    expect(interrupted).toBeGreaterThan(0);

    const store = await openSqliteEventStore({ file });
    const before = await store.headPosition();
    const result = await store.append('after-the-crashes', [{ id: randomUUID(), type: 'Checked', data: { ok: true } }]);
    expect(result.lastPosition).toBe(before + 1n);
    const [event] = (await store.readStream('after-the-crashes')) as [StoredEvent];
    expect(event.data).toEqual({ ok: true });
    await store.close();
  }, 60_000);

  it('loses nothing acknowledged when killed while its thread checkpoints the WAL', async () => {
    const file = join(dir, 'checkpointing.sqlite');
    // About 1.7 kB per event: each append asks the checkpointing thread (every 16 MiB) to work
    // while the next one runs, which the kill then interrupts.
    for (const moment of [0.3, 0.6, 0.9]) {
      const { acknowledged } = await killDuringAppend(file, moment, 1_500);
      await expectWholeAppends(file, acknowledged);
    }
  }, 60_000);
});
