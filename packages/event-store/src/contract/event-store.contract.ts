/**
 * The behaviour every event-store adapter must show. An adapter's test file calls
 * `describeEventStoreContract` once; the tests use nothing but the port, so the same suite
 * runs unchanged against SQLite, PostgreSQL and EventStoreDB.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it, onTestFinished } from 'vitest';
import { copyLog } from '../copy-log.js';
import { logPages } from '../log-pages.js';
import { EventIdConflict, StreamRevisionConflict } from '../errors.js';
import type { EventStore, EventToAppend, StoredEvent, Subscription } from '../event-store.js';

export interface OpenedEventStore {
  /** A new, empty store. The suite closes it after the test. */
  store: EventStore;
  /**
   * Opens another instance on the same underlying store, as a second process or connection
   * would. The suite closes it after the test. Tests that need it are skipped without it.
   */
  openAnother?: () => Promise<EventStore>;
  /** Removes whatever `open` created; called once every instance is closed. */
  cleanup?: () => Promise<void>;
}

/** Generous enough for a loaded 2-core CI machine; the measured figure is logged. */
const liveDeliveryLimitMs = 500;

export function describeEventStoreContract(adapterName: string, open: () => Promise<OpenedEventStore>): void {
  async function fresh(): Promise<{ store: EventStore; openAnother: (() => Promise<EventStore>) | undefined }> {
    const opened = await open();
    const others: EventStore[] = [];
    onTestFinished(async () => {
      for (const other of others) await other.close();
      await opened.store.close();
      await opened.cleanup?.();
    });
    const openAnother = opened.openAnother;
    return {
      store: opened.store,
      openAnother:
        openAnother &&
        (async () => {
          const other = await openAnother();
          others.push(other);
          return other;
        }),
    };
  }

  describe(`event store contract: ${adapterName}`, () => {
    describe('append and readStream', () => {
      it('round-trips ids, types, data and metadata with revisions from 0 and increasing positions', async () => {
        const { store } = await fresh();
        const first = [
          event('ReturnReceived', { returnId: 'r-1', rows: 3 }, { actor: 'analyst@dartford.gov.uk' }),
          event('ReadingRecorded', { measure: 'ASB-01', value: 12.5, numerator: 25, denominator: 200 }),
        ];
        const before = Date.now();
        const result = await store.append('return-1', first);
        const after = Date.now();
        const second = [event('ReadingRecorded', { measure: 'ASB-02', value: null, flags: [true, false] })];
        const next = await store.append('return-1', second);

        const stored = await store.readStream('return-1');
        expect(stored.map((e) => [e.id, e.stream, e.type, e.data, e.metadata, e.revision])).toEqual([
          [first[0]?.id, 'return-1', 'ReturnReceived', { returnId: 'r-1', rows: 3 }, { actor: 'analyst@dartford.gov.uk' }, 0n],
          [first[1]?.id, 'return-1', 'ReadingRecorded', { measure: 'ASB-01', value: 12.5, numerator: 25, denominator: 200 }, {}, 1n],
          [second[0]?.id, 'return-1', 'ReadingRecorded', { measure: 'ASB-02', value: null, flags: [true, false] }, {}, 2n],
        ]);
        expectIncreasingPositions(stored);
        for (const e of stored) {
          expect(typeof e.position).toBe('bigint');
          expect(e.position).toBeGreaterThanOrEqual(1n);
          expect(e.storedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/);
        }
        // Allows for a database server whose clock differs a little from ours.
        const storedAt = Date.parse(stored[0]?.storedAt ?? '');
        expect(storedAt).toBeGreaterThanOrEqual(before - 60_000);
        expect(storedAt).toBeLessThanOrEqual(after + 60_000);

        expect(result).toEqual({ nextExpectedRevision: 1n, lastPosition: stored[1]?.position, alreadyStored: false });
        expect(next).toEqual({ nextExpectedRevision: 2n, lastPosition: stored[2]?.position, alreadyStored: false });
      });

      it('round-trips large data and unicode', async () => {
        const { store } = await fresh();
        const large = 'x'.repeat(50_000) + '£€ŵŷ👮‍♀️'.repeat(5_000);
        const data = {
          large,
          welsh: 'Cyngor Bwrdeistref Dartford — ŵ ŷ â',
          mixed: 'naïve café 北京 مرحبا 🚓\u0000\u2028 "quoted" \\ back',
          nested: { list: [1, -2.5, 1e21, null, { deep: ['ä'] }], empty: {}, none: [] },
        };
        const metadata = { actor: 'Siân Ó Briain', note: '🧾' };
        const appended = event('Ünïcödé Type ✓', data, metadata);
        await store.append('stream/ŵ 北京 🚓', [appended]);

        const [stored] = await store.readStream('stream/ŵ 北京 🚓');
        expect(stored?.id).toBe(appended.id);
        expect(stored?.type).toBe('Ünïcödé Type ✓');
        expect(stored?.data).toEqual(data);
        expect(stored?.metadata).toEqual(metadata);
        const [fromLog] = await store.readAll();
        expect(fromLog).toEqual(stored);
      });
    });

    describe('stored times of copied events', () => {
      it('keeps the stored time an event brings, and records the time of the append for the others', async () => {
        const { store } = await fresh();
        const copied = [
          { ...event('Tested', { i: 0 }), storedAt: '2009-04-15T09:30:00.000Z' },
          { ...event('Tested', { i: 1 }), storedAt: '2011-03-31T23:59:59.999Z' },
        ];
        await store.append('copied', [...copied, event('Tested', { i: 2 })]);
        const stored = await store.readStream('copied');
        expect(stored.map((e) => e.storedAt).slice(0, 2)).toEqual(['2009-04-15T09:30:00.000Z', '2011-03-31T23:59:59.999Z']);
        expect(Date.parse(stored[2]?.storedAt ?? '')).toBeGreaterThan(Date.parse('2020-01-01T00:00:00.000Z'));
        expect(await store.readAll()).toEqual(stored);
      });

      it('refuses a stored time in any other form, writing nothing', async () => {
        const { store } = await fresh();
        for (const storedAt of ['2009-04-15T09:30:00Z', '2009-04-15 09:30:00.000', '2009-04-15T09:30:00.000+01:00', 'yesterday', '']) {
          const error = await failure(store.append('s', [event(), { ...event(), storedAt }]));
          expect(error, storedAt).toBeInstanceOf(RangeError);
        }
        expect(await store.readAll()).toEqual([]);
      });

      it('logPages reads the log after a position in pages, in order, and a reader may stop at any page', async () => {
        const { store } = await fresh();
        for (let i = 0; i < 10; i++) await store.append(`s${i % 3}`, events((i % 3) + 1));
        const log = await store.readAll();
        const pages: StoredEvent[][] = [];
        for await (const page of logPages(store, log[2]?.position, 4)) pages.push(page);
        expect(pages.map((page) => page.length)).toEqual([4, 4, 4, 4]);
        expect(pages.flat()).toEqual(log.slice(3));
        // Stopping after the first page, with the next one already asked for, then closing: nothing fails.
        for await (const page of logPages(store, 0n, 4)) {
          expect(page).toEqual(log.slice(0, 4));
          break;
        }
      });

      it('copyLog copies the whole log into an empty store: order, streams, revisions, ids, data and stored times', async () => {
        const { store } = await fresh();
        const { store: target } = await fresh();
        for (let i = 0; i < 12; i++) await store.append(`s${i % 3}`, events((i % 4) + 1));
        await store.append('s0', [event('Tested', { nested: { deep: ['ä'] } }, { actor: 'Siân' })]);
        const progress: bigint[] = [];

        const copied = await copyLog(store, target, { pageSize: 4, onProgress: ({ position }) => progress.push(position) });
        const original = await store.readAll();
        const copy = await target.readAll();
        const withoutPosition = ({ position: _, ...rest }: StoredEvent) => rest;
        expect(copy.map(withoutPosition)).toEqual(original.map(withoutPosition));
        expect(copied).toMatchObject({ events: original.length, position: original.at(-1)?.position });
        expect(progress.at(-1)).toBe(original.at(-1)?.position);

        // Run again (as after an interruption), it recognises what is there and adds nothing.
        expect((await copyLog(store, target)).events).toBe(original.length);
        expect(await target.readAll()).toEqual(copy);
      });
    });

    describe('expected revision', () => {
      it("'no_stream' succeeds on a new stream and conflicts on an existing one", async () => {
        const { store } = await fresh();
        await store.append('s', events(1), { expectedRevision: 'no_stream' });

        const error = await failure(store.append('s', events(2), { expectedRevision: 'no_stream' }));
        expect(error).toBeInstanceOf(StreamRevisionConflict);
        expect(error).toMatchObject({ stream: 's', expected: 'no_stream', actual: 0n });
        expect(await store.readStream('s')).toHaveLength(1);
      });

      it("'stream_exists' conflicts on a missing stream and succeeds on an existing one", async () => {
        const { store } = await fresh();
        const error = await failure(store.append('s', events(1), { expectedRevision: 'stream_exists' }));
        expect(error).toBeInstanceOf(StreamRevisionConflict);
        expect(error).toMatchObject({ stream: 's', expected: 'stream_exists', actual: undefined });
        expect(await store.streamRevision('s')).toBeUndefined();
        expect(await store.headPosition()).toBe(0n);

        await store.append('s', events(1));
        const result = await store.append('s', events(1), { expectedRevision: 'stream_exists' });
        expect(result.nextExpectedRevision).toBe(1n);
      });

      it("'any', and no expected revision at all, append whatever the stream's state", async () => {
        const { store } = await fresh();
        expect((await store.append('s', events(1), { expectedRevision: 'any' })).nextExpectedRevision).toBe(0n);
        expect((await store.append('s', events(2), { expectedRevision: 'any' })).nextExpectedRevision).toBe(2n);
        expect((await store.append('s', events(1))).nextExpectedRevision).toBe(3n);
      });

      it('an exact revision succeeds when it is the last revision', async () => {
        const { store } = await fresh();
        const { nextExpectedRevision } = await store.append('s', events(3));
        expect(nextExpectedRevision).toBe(2n);
        const result = await store.append('s', events(2), { expectedRevision: 2n });
        expect(result.nextExpectedRevision).toBe(4n);
        expect((await store.readStream('s')).map((e) => e.revision)).toEqual([0n, 1n, 2n, 3n, 4n]);
      });

      it('a stale exact revision conflicts, names stream, expected and actual revision, and writes nothing', async () => {
        const { store } = await fresh();
        await store.append('s', events(3));
        const head = await store.headPosition();
        const stale = events(4);

        const error = await failure(store.append('s', stale, { expectedRevision: 1n }));
        expect(error).toBeInstanceOf(StreamRevisionConflict);
        expect(error).toMatchObject({ stream: 's', expected: 1n, actual: 2n });
        expect((error as Error).message).toContain('"s"');
        expect(await store.readStream('s')).toHaveLength(3);
        expect(await store.headPosition()).toBe(head);
        expect(await store.streamRevision('s')).toBe(2n);

        // The same events are still welcome at the right revision: the conflict stored none of them.
        expect((await store.append('s', stale, { expectedRevision: 2n })).alreadyStored).toBe(false);
      });

      it('an exact revision conflicts on a missing stream', async () => {
        const { store } = await fresh();
        const error = await failure(store.append('s', events(1), { expectedRevision: 0n }));
        expect(error).toBeInstanceOf(StreamRevisionConflict);
        expect(error).toMatchObject({ stream: 's', expected: 0n, actual: undefined });
        expect(await store.readAll()).toEqual([]);
      });
    });

    describe('concurrency', () => {
      it('of two appends racing at the same expected revision, exactly one wins', async () => {
        const { store } = await fresh();
        await store.append('s', events(1));
        const left = events(2);
        const right = events(2);
        const outcomes = await Promise.allSettled([
          store.append('s', left, { expectedRevision: 0n }),
          store.append('s', right, { expectedRevision: 0n }),
        ]);
        expectOneWinner(outcomes);
        const winner = outcomes[0]?.status === 'fulfilled' ? left : right;
        expect((await store.readStream('s')).slice(1).map((e) => e.id)).toEqual(winner.map((e) => e.id));
      });

      it('of two instances racing to create the same stream, exactly one wins', async (context) => {
        const { store, openAnother } = await fresh();
        if (!openAnother) return context.skip('the adapter cannot open a second instance');
        const other = await openAnother();
        const outcomes = await Promise.allSettled([
          store.append('s', events(3), { expectedRevision: 'no_stream' }),
          other.append('s', events(3), { expectedRevision: 'no_stream' }),
        ]);
        expectOneWinner(outcomes);
        expect(await store.readStream('s')).toHaveLength(3);
      });
    });

    describe('atomicity', () => {
      it('a multi-event append that conflicts on one event id stores none of its events', async () => {
        const { store } = await fresh();
        const earlier = events(2);
        await store.append('a', earlier);
        const head = await store.headPosition();
        const mixed = [...events(3), earlier[1] as EventToAppend, ...events(3)];

        const error = await failure(store.append('a', mixed));
        expect(error).toBeInstanceOf(EventIdConflict);
        expect(await store.readStream('a')).toHaveLength(2);
        expect(await store.headPosition()).toBe(head);
        expect(await store.readAll()).toHaveLength(2);
      });

      it('events produced lazily are appended whole, and not at all when producing them fails', async () => {
        const { store } = await fresh();
        function* produce(count: number, failAt?: number) {
          for (let i = 0; i < count; i++) {
            if (i === failAt) throw new Error(`could not produce event ${i}`);
            yield event('Tested', { i });
          }
        }
        const result = await store.append('lazy', produce(2_500));
        expect(result).toMatchObject({ nextExpectedRevision: 2_499n, alreadyStored: false });
        expect((await store.readStream('lazy')).map((e) => (e.data as { i: number }).i)).toEqual(Array.from({ length: 2_500 }, (_, i) => i));

        const head = await store.headPosition();
        await expect(store.append('broken', produce(2_500, 1_700))).rejects.toThrow('could not produce event 1700');
        expect(await store.streamRevision('broken')).toBeUndefined();
        expect(await store.headPosition()).toBe(head);
      });
    });

    describe('idempotent retry', () => {
      it('appending the same events again stores nothing and returns the first result', async () => {
        const { store } = await fresh();
        const batch = events(3);
        const first = await store.append('s', batch, { expectedRevision: 'no_stream' });
        const retry = await store.append('s', batch, { expectedRevision: 'no_stream' });
        expect(retry).toEqual({ ...first, alreadyStored: true });
        expect(await store.readStream('s')).toHaveLength(3);
        expect(await store.headPosition()).toBe(first.lastPosition);
      });

      it('a retry is recognised after the stream has moved on, whatever its stale expected revision', async () => {
        const { store } = await fresh();
        await store.append('s', events(2));
        const lost = events(3);
        const first = await store.append('s', lost, { expectedRevision: 1n });
        await store.append('other', events(1));
        await store.append('s', events(2), { expectedRevision: 4n });
        const head = await store.headPosition();

        for (const expectedRevision of [1n, 'no_stream', 'any', 'stream_exists'] as const) {
          const retry = await store.append('s', lost, { expectedRevision });
          expect(retry).toEqual({ nextExpectedRevision: 4n, lastPosition: first.lastPosition, alreadyStored: true });
        }
        expect(await store.readStream('s')).toHaveLength(7);
        expect(await store.headPosition()).toBe(head);
        expect(new Set((await store.readAll()).map((e) => e.id)).size).toBe(8);
      });

      it('ids are unique within a stream: the same id in another stream is another event', async () => {
        const { store } = await fresh();
        const batch = events(2);
        await store.append('first', batch);
        expect(await store.append('second', batch)).toMatchObject({ nextExpectedRevision: 1n, alreadyStored: false });
        expect(await store.readAll()).toHaveLength(4);
      });

      it('stored ids mixed with new events are an EventIdConflict and write nothing', async () => {
        const { store } = await fresh();
        const batch = events(2);
        await store.append('s', batch);
        const [a, b] = batch as [EventToAppend, EventToAppend];

        for (const attempt of [[a, b, ...events(1)], [...events(1), a, b], [b, a]]) {
          const error = await failure(store.append('s', attempt));
          expect(error, `attempt ${attempt.map((e) => (e === a ? 'a' : e === b ? 'b' : 'new')).join(',')}`).toBeInstanceOf(EventIdConflict);
        }
        const error = await failure(store.append('s', [b, a]));
        expect(error).toMatchObject({ stream: 's', eventId: b.id, storedIn: { stream: 's', revision: 1n } });
        expect(await store.readAll()).toHaveLength(2);
      });

      it('an id repeated within one append is refused and nothing is written', async () => {
        const { store } = await fresh();
        const repeated = event();
        const error = await failure(store.append('s', [event(), repeated, event(), repeated]));
        expect(error).toBeInstanceOf(Error);
        expect(error).not.toBeInstanceOf(StreamRevisionConflict);
        expect(await store.readAll()).toEqual([]);
      });

      it('an empty append is a RangeError', async () => {
        const { store } = await fresh();
        expect(await failure(store.append('s', []))).toBeInstanceOf(RangeError);
        expect(await store.streamRevision('s')).toBeUndefined();
      });
    });

    describe('readStream and streamRevision', () => {
      it('read from a revision, up to a count; a missing stream is empty', async () => {
        const { store } = await fresh();
        const batch = events(10);
        await store.append('s', batch.slice(0, 4));
        await store.append('other', events(3));
        await store.append('s', batch.slice(4));
        const ids = (list: StoredEvent[]) => list.map((e) => e.id);

        expect(ids(await store.readStream('s'))).toEqual(batch.map((e) => e.id));
        expect(ids(await store.readStream('s', { fromRevision: 3n }))).toEqual(batch.slice(3).map((e) => e.id));
        expect(ids(await store.readStream('s', { fromRevision: 3n, maxCount: 4 }))).toEqual(batch.slice(3, 7).map((e) => e.id));
        expect(ids(await store.readStream('s', { maxCount: 2 }))).toEqual(batch.slice(0, 2).map((e) => e.id));
        expect(await store.readStream('s', { maxCount: 0 })).toEqual([]);
        expect(await store.readStream('s', { fromRevision: 10n })).toEqual([]);
        expect(await store.readStream('missing')).toEqual([]);
        expect((await store.readStream('s', { fromRevision: 9n }))[0]?.revision).toBe(9n);

        expect(await store.streamRevision('s')).toBe(9n);
        expect(await store.streamRevision('other')).toBe(2n);
        expect(await store.streamRevision('missing')).toBeUndefined();
      });
    });

    describe('readAll and headPosition', () => {
      it('an empty store has head position 0 and no events', async () => {
        const { store } = await fresh();
        expect(await store.headPosition()).toBe(0n);
        expect(await store.readAll()).toEqual([]);
        expect(await store.readAll({ after: 0n, maxCount: 10 })).toEqual([]);
      });

      it('reads interleaved streams in global order, from the start or from the middle', async () => {
        const { store } = await fresh();
        const appended: string[] = [];
        for (let round = 0; round < 4; round++) {
          for (const stream of ['a', 'b', 'c']) {
            const batch = events(round + 1);
            await store.append(stream, batch);
            appended.push(...batch.map((e) => e.id));
          }
        }
        const all = await store.readAll();
        expect(all.map((e) => e.id)).toEqual(appended);
        expectIncreasingPositions(all);
        expect(await store.headPosition()).toBe(all.at(-1)?.position);
        for (const stream of ['a', 'b', 'c']) {
          expect(all.filter((e) => e.stream === stream).map((e) => e.revision)).toEqual([...Array(10).keys()].map(BigInt));
        }

        const middle = all[13] as StoredEvent;
        expect((await store.readAll({ after: middle.position })).map((e) => e.id)).toEqual(appended.slice(14));
        expect((await store.readAll({ after: middle.position, maxCount: 5 })).map((e) => e.id)).toEqual(appended.slice(14, 19));
        expect(await store.readAll({ after: all.at(-1)?.position ?? 0n })).toEqual([]);
      });

      it('paging with maxCount covers the whole log exactly once', async () => {
        const { store } = await fresh();
        for (let i = 0; i < 20; i++) await store.append(`s${i % 3}`, events((i % 4) + 1));
        const all = await store.readAll();
        for (const pageSize of [1, 7, 50]) {
          const paged: StoredEvent[] = [];
          let after = 0n;
          for (;;) {
            const page = await store.readAll({ after, maxCount: pageSize });
            expect(page.length).toBeLessThanOrEqual(pageSize);
            if (page.length === 0) break;
            paged.push(...page);
            after = (page.at(-1) as StoredEvent).position;
          }
          expect(paged).toEqual(all);
        }
      });
    });

    describe('subscribe', () => {
      it('catches up from the start in batches, in order', async () => {
        const { store } = await fresh();
        for (let i = 0; i < 5; i++) await store.append(`s${i % 2}`, events(5));
        const received = collector();
        const subscription = store.subscribe({ after: 0n, batchSize: 4, onEvents: received.handler });
        onTestFinished(() => subscription.stop());

        await received.until(25);
        expect(received.events.map((e) => e.id)).toEqual((await store.readAll()).map((e) => e.id));
        expect(Math.max(...received.batchSizes)).toBeLessThanOrEqual(4);
        await subscription.stop();
        await expect(subscription.closed).resolves.toBeUndefined();
      });

      it('catches up from the middle of the log', async () => {
        const { store } = await fresh();
        for (let i = 0; i < 4; i++) await store.append(`s${i}`, events(5));
        const all = await store.readAll();
        const checkpoint = (all[11] as StoredEvent).position;
        const received = collector();
        const subscription = store.subscribe({ after: checkpoint, onEvents: received.handler });
        onTestFinished(() => subscription.stop());

        await received.until(8);
        expect(received.events).toEqual(all.slice(12));
      });

      it('delivers events appended after subscribing, promptly', async () => {
        const { store } = await fresh();
        await store.append('old', events(3));
        const received = collector();
        const subscription = store.subscribe({ after: await store.headPosition(), onEvents: received.handler });
        onTestFinished(() => subscription.stop());
        await sleep(100);
        expect(received.events).toEqual([]);

        const latencies: number[] = [];
        for (let i = 1; i <= 5; i++) {
          const started = performance.now();
          await store.append('live', events(2));
          await received.until(i * 2);
          latencies.push(performance.now() - started);
          // Uneven pauses, so appends do not fall into step with an adapter's polling.
          await sleep(7 * i);
        }
        console.info(`[${adapterName}] live delivery, same instance: ${formatLatencies(latencies)}`);
        expect(Math.max(...latencies)).toBeLessThan(liveDeliveryLimitMs);
        expect(received.events.map((e) => e.stream)).toEqual(Array(10).fill('live'));
      });

      it('delivers events appended by another instance of the same store', async (context) => {
        const { store, openAnother } = await fresh();
        if (!openAnother) return context.skip('the adapter cannot open a second instance');
        const other = await openAnother();
        const received = collector();
        const subscription = store.subscribe({ after: 0n, onEvents: received.handler });
        onTestFinished(() => subscription.stop());
        await sleep(100);

        const latencies: number[] = [];
        for (let i = 1; i <= 5; i++) {
          const started = performance.now();
          await other.append('elsewhere', events(3));
          await received.until(i * 3);
          latencies.push(performance.now() - started);
          await sleep(7 * i);
        }
        console.info(`[${adapterName}] live delivery, other instance: ${formatLatencies(latencies)}`);
        expect(Math.max(...latencies)).toBeLessThan(liveDeliveryLimitMs);
        expect(received.events).toEqual(await other.readAll());
      });

      it('waits for each batch to settle before the next, never duplicating or reordering', async () => {
        const { store } = await fresh();
        for (let i = 0; i < 3; i++) await store.append(`s${i}`, events(5));
        let running = 0;
        let mostRunning = 0;
        const received: StoredEvent[] = [];
        const subscription = store.subscribe({
          after: 0n,
          batchSize: 3,
          onEvents: async (batch) => {
            running++;
            mostRunning = Math.max(mostRunning, running);
            await sleep(10);
            received.push(...batch);
            running--;
          },
        });
        onTestFinished(() => subscription.stop());
        // Appends land while handlers are still running.
        for (let i = 0; i < 5; i++) {
          await store.append('live', events(4));
          await sleep(7);
        }
        await until(() => received.length === 35);
        await sleep(100);

        expect(mostRunning).toBe(1);
        expect(received).toEqual(await store.readAll());
      });

      it('a failing handler stops the subscription and rejects closed with its error', async () => {
        const { store } = await fresh();
        await store.append('s', events(3));
        const problem = new Error('projection failed');
        let calls = 0;
        const subscription = store.subscribe({
          after: 0n,
          batchSize: 1,
          onEvents: async () => {
            calls++;
            if (calls === 2) throw problem;
          },
        });
        await expect(subscription.closed).rejects.toBe(problem);
        await store.append('s', events(2));
        await sleep(150);
        expect(calls).toBe(2);
        await subscription.stop();
      });

      it('stop() waits for the running handler, then nothing more is delivered', async () => {
        const { store } = await fresh();
        await store.append('s', events(1));
        const release = deferred();
        let handlerFinished = false;
        let calls = 0;
        const subscription = store.subscribe({
          after: 0n,
          onEvents: async () => {
            calls++;
            await release.promise;
            handlerFinished = true;
          },
        });
        await until(() => calls === 1);

        let stopped = false;
        const stopping = subscription.stop().then(() => {
          stopped = true;
          expect(handlerFinished).toBe(true);
        });
        await sleep(30);
        expect(stopped).toBe(false);
        release.resolve();
        await stopping;
        await expect(subscription.closed).resolves.toBeUndefined();

        await store.append('s', events(2));
        await sleep(150);
        expect(calls).toBe(1);
        await subscription.stop();
      });

      it('close() ends the subscriptions of the instance, and may be called again', async () => {
        const { store } = await fresh();
        const subscription: Subscription = store.subscribe({ after: 0n, onEvents: () => {} });
        await sleep(20);
        await store.close();
        await expect(subscription.closed).resolves.toBeUndefined();
        await expect(store.close()).resolves.toBeUndefined();
      });
    });
  });
}

function event(type = 'Tested', data: unknown = { value: 1 }, metadata?: Record<string, unknown>): EventToAppend {
  return metadata ? { id: randomUUID(), type, data, metadata } : { id: randomUUID(), type, data };
}

function events(count: number): EventToAppend[] {
  return Array.from({ length: count }, (_, i) => event('Tested', { i }));
}

/** The rejection reason of a promise that must reject. */
async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail('expected a rejection'),
    (error: unknown) => error,
  );
}

function expectOneWinner(outcomes: PromiseSettledResult<unknown>[]): void {
  expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
  const rejected = outcomes.find((o) => o.status === 'rejected');
  expect(rejected?.reason).toBeInstanceOf(StreamRevisionConflict);
}

function expectIncreasingPositions(events: StoredEvent[]): void {
  for (let i = 1; i < events.length; i++) {
    expect((events[i] as StoredEvent).position).toBeGreaterThan((events[i - 1] as StoredEvent).position);
  }
}

function collector() {
  const events: StoredEvent[] = [];
  const batchSizes: number[] = [];
  return {
    events,
    batchSizes,
    handler: (batch: StoredEvent[]) => {
      events.push(...batch);
      batchSizes.push(batch.length);
    },
    until: (count: number) => until(() => events.length >= count),
  };
}

/** Resolves as soon as `condition` holds; fails the test after `timeoutMs`. */
async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) expect.fail(`condition not met within ${timeoutMs} ms`);
    await sleep(1);
  }
}

function deferred() {
  let resolve = () => {};
  const promise = new Promise<void>((settle) => {
    resolve = settle;
  });
  return { promise, resolve };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function formatLatencies(latencies: number[]): string {
  return `${latencies.map((ms) => ms.toFixed(1)).join(', ')} ms`;
}
