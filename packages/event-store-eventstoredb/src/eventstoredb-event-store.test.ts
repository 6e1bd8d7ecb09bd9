import { randomBytes } from 'node:crypto';
import { describeEventStoreContract } from '@beacon/event-store/contract';
import { describe, expect, it } from 'vitest';
import { type RawEvent, visibleEvents } from './batches.js';
import { openEventStoreDbEventStore } from './eventstoredb-event-store.js';

const url = process.env.EVENTSTORE_URL;

// No EventStoreDB server can run on the machines that run this suite: without EVENTSTORE_URL the
// contract is reported as not run (skipped), never as passed.
describe.skipIf(!url)(url ? `EventStoreDB at ${url}` : 'EventStoreDB contract (not run: EVENTSTORE_URL not set)', () => {
  // Each test gets an empty store: streams under a prefix of its own on the shared server.
  describeEventStoreContract('EventStoreDB', async () => {
    const streamPrefix = `beacon-test-${randomBytes(6).toString('hex')}:`;
    const open = () => openEventStoreDbEventStore({ connectionString: url as string, streamPrefix });
    return { store: await open(), openAnother: open };
  });

  it('writes an append larger than MaxAppendSize in parts that readers see only once the last is written', async () => {
    const streamPrefix = `beacon-test-${randomBytes(6).toString('hex')}:`;
    // A small MaxAppendSize makes 2,000 events take several parts.
    const store = await openEventStoreDbEventStore({ connectionString: url as string, streamPrefix, maxAppendSize: 64 * 1024 });
    const events = Array.from({ length: 2_000 }, (_, i) => ({ id: crypto.randomUUID(), type: 'Tested', data: { i, text: 'x'.repeat(100) } }));
    const result = await store.append('large', events, { expectedRevision: 'no_stream' });
    expect(result.nextExpectedRevision).toBe(1_999n);
    expect((await store.readStream('large')).map((e) => e.id)).toEqual(events.map((e) => e.id));
    expect((await store.append('large', events)).alreadyStored).toBe(true);
    await store.close();
  });
});

/** The batch rules run here whatever the server: they are plain functions of what was read. */
describe('EventStoreDB adapter: what readers may see of large appends', () => {
  let position = 0n;
  const raw = (stream: string, extra: Partial<RawEvent> = {}): RawEvent => ({
    stream,
    id: crypto.randomUUID(),
    revision: 0n,
    position: ++position,
    type: 'Tested',
    data: {},
    metadata: {},
    storedAt: '2009-04-15T09:30:00.000Z',
    batch: undefined,
    end: false,
    abandons: undefined,
    ...extra,
  });

  it('shows a batch once its marker is read, in place, with what came between its parts', () => {
    const log = [raw('a'), raw('big', { batch: 'b1' }), raw('c'), raw('big', { batch: 'b1' }), raw('big', { batch: 'b1', end: true }), raw('d')];
    expect(visibleEvents(log)).toEqual({ events: log, blocked: false });
  });

  it('stops at an unfinished batch: nothing after it is shown before it', () => {
    const log = [raw('a'), raw('big', { batch: 'b1' }), raw('c')];
    expect(visibleEvents(log)).toEqual({ events: [log[0]], blocked: true });
  });

  it('never shows an abandoned batch: its stream moved on, or its writer gave it up', () => {
    const overtaken = [raw('big', { batch: 'b1' }), raw('c'), raw('big'), raw('d')];
    expect(visibleEvents(overtaken).events).toEqual([overtaken[1], overtaken[2], overtaken[3]]);
    const givenUp = [raw('big', { batch: 'b2' }), raw('big', { abandons: 'b2' }), raw('e')];
    expect(visibleEvents(givenUp)).toEqual({ events: [givenUp[2]], blocked: false });
  });
});
