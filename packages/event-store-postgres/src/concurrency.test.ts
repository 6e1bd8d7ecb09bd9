import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { StoredEvent } from '@beacon/event-store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresEventStore, type PostgresEventStore } from './postgres-event-store.js';
import { sleep } from './test-support/sleep.js';
import { createTestDatabase, type TestDatabase } from './test-support/test-database.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const script = (name: string) => fileURLToPath(new URL(`./test-support/${name}`, import.meta.url));

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database?.drop());

async function freshStore(): Promise<{ store: PostgresEventStore; schema: string }> {
  const schema = `concurrency_${randomBytes(6).toString('hex')}`;
  return { store: await openPostgresEventStore({ connectionString: database.url, schema }), schema };
}

/** A child process running one of test-support's scripts, with its output line by line. */
function child(name: string, args: string[], onLine: (line: string) => void = () => {}): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const process_ = spawn(process.execPath, ['--import', 'tsx', script(name), ...args], { cwd: packageDir, stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: string[] = [];
    let pending = '';
    let errors = '';
    process_.stdout.on('data', (chunk: Buffer) => {
      pending += chunk;
      const complete = pending.split('\n');
      pending = complete.pop() ?? '';
      for (const line of complete) {
        lines.push(line);
        onLine(line);
      }
    });
    process_.stderr.on('data', (chunk: Buffer) => {
      errors += chunk;
    });
    process_.on('error', reject);
    process_.on('exit', (code) => (code === 0 ? resolve(lines) : reject(new Error(`${name} exited with ${code}: ${errors}`))));
  });
}

/** Collects what a subscription delivers, checking each batch continues the last in global order. */
function orderedCollector() {
  const events: StoredEvent[] = [];
  const outOfOrder: string[] = [];
  return {
    events,
    outOfOrder,
    handler: (batch: StoredEvent[]) => {
      for (const event of batch) {
        const previous = events.at(-1);
        if (previous && event.position <= previous.position) outOfOrder.push(`${event.position} after ${previous.position}`);
        events.push(event);
      }
    },
  };
}

async function until(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) expect.fail(`condition not met within ${timeoutMs} ms`);
    await sleep(5);
  }
}

describe('PostgreSQL event store under concurrency', () => {
  it('two writer processes on one stream: conflicts are detected, nothing is lost, a subscriber sees it all in order', async () => {
    const { store, schema } = await freshStore();
    const received = orderedCollector();
    const subscription = store.subscribe({ after: 0n, batchSize: 7, onEvents: received.handler });
    const appends = 60;

    const outputs = await Promise.all(
      ['left', 'right'].map((writer) => child('contend.ts', [database.url, schema, 'contended', String(appends), writer])),
    );
    const results = outputs.map((lines) => JSON.parse(lines.at(-1) ?? '{}') as { writer: string; conflicts: number; revisions: string[] });
    const conflicts = results.reduce((sum, result) => sum + result.conflicts, 0);
    console.info(`[PostgreSQL] two writers, ${2 * appends} appends: ${conflicts} conflicts detected and retried`);

    const stream = await store.readStream('contended');
    // Nothing lost, nothing doubled: every append whole, revisions without a hole.
    expect(stream).toHaveLength(2 * appends * 2);
    expect(stream.map((e) => e.revision)).toEqual(stream.map((_, i) => BigInt(i)));
    for (const { writer, revisions } of results) {
      const own = stream.filter((e) => (e.data as { writer: string }).writer === writer).map((e) => e.data as { sequence: number; half: number });
      expect(own).toEqual(Array.from({ length: 2 * appends }, (_, i) => ({ writer, sequence: Math.floor(i / 2), half: i % 2 })));
      expect(revisions).toHaveLength(appends);
    }
    const given = results.flatMap((result) => result.revisions);
    expect(new Set(given).size).toBe(given.length);
    expect(conflicts).toBeGreaterThan(0);

    await until(() => received.events.length === stream.length);
    expect(received.outOfOrder).toEqual([]);
    expect(received.events).toEqual(await store.readAll());
    await subscription.stop();
    await store.close();
  }, 120_000);

  it('an append still open holds back later appends, so no reader sees a later position before an earlier one', async () => {
    const { store, schema } = await freshStore();
    const received = orderedCollector();
    const subscription = store.subscribe({ after: 0n, onEvents: received.handler });
    let holding: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      holding = resolve;
    });

    const slow = child('hold-open.ts', [database.url, schema, '1500'], (line) => line === 'holding' && holding());
    await held;
    // The slow append has inserted its first 1,000 events and is still open.
    let fastDone = false;
    const fast = store.append('fast', [{ id: crypto.randomUUID(), type: 'Quick', data: {} }]).then((result) => {
      fastDone = true;
      return result;
    });
    await sleep(400);
    expect(fastDone).toBe(false);
    expect(await store.headPosition()).toBe(0n);
    expect(await store.readAll()).toEqual([]);
    expect(received.events).toEqual([]);

    await slow;
    const { lastPosition } = await fast;
    expect(lastPosition).toBe(1_501n);
    await until(() => received.events.length === 1_501);
    expect(received.outOfOrder).toEqual([]);
    expect(received.events.map((e) => e.stream)).toEqual([...Array(1_500).fill('slow'), 'fast']);
    expect(received.events.map((e) => e.position)).toEqual(received.events.map((_, i) => BigInt(i + 1)));
    await subscription.stop();
    await store.close();
  }, 60_000);
});
