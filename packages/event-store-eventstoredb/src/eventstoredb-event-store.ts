import { withoutPassword } from '@beacon/config';
import {
  type AppendResult,
  checkedMaxCount,
  LoggedEvent,
  EventIdConflict,
  type EventStore,
  type EventToAppend,
  type ExpectedRevision,
  LogSubscriptions,
  type ReadAllOptions,
  type ReadStreamOptions,
  requestedStoredAt,
  type StoredEvent,
  StoreNotUsable,
  StoreUnavailable,
  StreamRevisionConflict,
  type SubscribeOptions,
  type Subscription,
} from '@beacon/event-store';
import {
  ANY,
  type AllStreamSubscription,
  type AppendExpectedRevision,
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  jsonEvent,
  NO_STREAM,
  type ReadPosition,
  type RecordedEvent,
  START,
  STREAM_EXISTS,
  StreamNotFoundError,
  streamNameFilter,
  UnavailableError,
  WrongExpectedVersionError,
} from '@eventstore/db-client';
import { abandonsKey, batchKey, endKey, type RawEvent, storedAtKey, visibleEvents } from './batches.js';

export interface EventStoreDbEventStoreOptions {
  /** e.g. esdb://localhost:2113?tls=false */
  connectionString: string;
  /**
   * Beacon's stream "return-7" is "<prefix>return-7" in EventStoreDB, and subscriptions read
   * $all filtered on this prefix. 'beacon:' by default; several Beacon stores can share one
   * server with different prefixes.
   */
  streamPrefix?: string;
  /** The server's MaxAppendSize in bytes (1 MiB unless the server was configured otherwise). */
  maxAppendSize?: number;
  /** The fallback poll for appends the live $all subscription did not announce. */
  pollIntervalMs?: number;
}

/** The version of Beacon's layout in EventStoreDB (prefixes, reserved metadata, batches). */
const layoutVersion = 1;
/** Events read per request when paging through a stream or $all. */
const pageSize = 1_000;
/** Room left in each part for what the server adds to each event. */
const bytesPerEventOverhead = 200;
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface Prepared {
  id: string;
  type: string;
  data: unknown;
  metadata: Record<string, unknown>;
  bytes: number;
}

export async function openEventStoreDbEventStore(options: EventStoreDbEventStoreOptions): Promise<EventStoreDbEventStore> {
  const client = EventStoreDBClient.connectionString(options.connectionString);
  const prefix = options.streamPrefix ?? 'beacon:';
  const location = `EventStoreDB at ${withoutPassword(options.connectionString)} (streams "${prefix}…")`;
  try {
    await checkLayout(client, prefix, location);
  } catch (error) {
    await client.dispose();
    if (error instanceof UnavailableError) {
      throw new StoreUnavailable(
        location,
        `no EventStoreDB server answers (${error.message}). Start it (see packages/event-store-eventstoredb/README.md), or correct EVENTSTORE_URL; a server without TLS needs ?tls=false.`,
      );
    }
    if (error instanceof Error && /access denied|not authenticated|unauthenticated/i.test(error.message)) {
      throw new StoreUnavailable(location, `the server refused the credentials (${error.message}). Check the user and password in EVENTSTORE_URL.`);
    }
    throw error;
  }
  return new EventStoreDbEventStore(client, prefix, options.maxAppendSize ?? 1_048_576, options.pollIntervalMs ?? 1_000);
}

/**
 * Records the layout version in a stream of its own ("beacon-store:<prefix>", outside the prefix),
 * and refuses a layout written by a newer Beacon.
 */
async function checkLayout(client: EventStoreDBClient, prefix: string, location: string): Promise<void> {
  const stream = `beacon-store:${prefix}`;
  let version: number | undefined;
  try {
    for await (const { event } of client.readStream(stream, { direction: BACKWARDS, fromRevision: END, maxCount: 1 })) {
      version = (event?.data as { version?: number } | undefined)?.version;
    }
  } catch (error) {
    if (!(error instanceof StreamNotFoundError)) throw error;
  }
  if (version !== undefined && version > layoutVersion) {
    throw new StoreNotUsable(location, `it was made by a newer Beacon (layout v${version}); this Beacon reads up to v${layoutVersion}. Upgrade Beacon.`);
  }
  if (version === undefined) {
    await client
      .appendToStream(stream, jsonEvent({ type: 'BeaconStoreLayout', data: { version: layoutVersion } }), { expectedRevision: NO_STREAM })
      .catch((error: unknown) => {
        // Another process recorded it first.
        if (!(error instanceof WrongExpectedVersionError)) throw error;
      });
  }
}

/**
 * The event store in EventStoreDB (22.10 or later: events read from a stream must carry their
 * position). Each port event is one EventStoreDB event in the stream "<prefix><stream>", with the
 * caller's id, so EventStoreDB's revisions are the port's revisions and expected revisions map
 * one to one (no_stream → NO_STREAM, stream_exists → STREAM_EXISTS, any → ANY, n → n). A position
 * is the event's commit position in $all. Appends larger than MaxAppendSize: see batches.ts.
 *
 * Idempotence: EventStoreDB recognises a repeated append only at the same expected revision, so
 * an append first reads its stream (Beacon's streams are short: a return, a target, a population)
 * and recognises a retry, or a stored id, itself, as the port requires.
 *
 * Stored times: EventStoreDB stamps `created` itself; a copied event's storedAt is kept in its
 * metadata ($beacon.storedAt) and read back in its place.
 */
export class EventStoreDbEventStore implements EventStore {
  private readonly subscriptions = new LogSubscriptions((after, maxCount) => this.readAll({ after, maxCount }), {
    start: () => {
      this.waker ??= this.startWaking();
    },
    stop: () => this.stopWaking(),
  });
  private waker: { live: AllStreamSubscription; poll: NodeJS.Timeout } | undefined;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly client: EventStoreDBClient,
    private readonly prefix: string,
    private readonly maxAppendSize: number,
    private readonly pollIntervalMs: number,
  ) {}

  async append(
    stream: string,
    events: Iterable<EventToAppend>,
    { expectedRevision = 'any' }: { expectedRevision?: ExpectedRevision } = {},
  ): Promise<AppendResult> {
    const prepared = prepare(stream, events);
    const first = prepared[0];
    if (!first) throw new RangeError(`Nothing to append to "${stream}": an append needs at least one event.`);
    const raw = await this.readRawStream(stream, 0n);
    const { events: visible } = visibleEvents(raw);

    const at = visible.findIndex((event) => event.id === first.id);
    if (at >= 0) {
      const stored = visible.slice(at, at + prepared.length);
      const exact = stored.length === prepared.length && stored.every((event, i) => event.id === prepared[i]?.id);
      if (!exact) throw new EventIdConflict(stream, first.id, { stream, revision: (visible[at] as RawEvent).revision });
      const last = stored.at(-1) as RawEvent;
      return { nextExpectedRevision: last.revision, lastPosition: last.position, alreadyStored: true };
    }
    const storedIds = new Map(visible.map((event) => [event.id, event.revision]));
    for (const { id } of prepared) {
      const revision = storedIds.get(id);
      if (revision !== undefined) throw new EventIdConflict(stream, id, { stream, revision });
    }

    // A large append of these same events that stopped between its parts: finish it.
    const tail = unfinishedTail(raw);
    if (tail.length > 0 && tail[0]?.batch === first.id && tail.every((event, i) => event.id === prepared[i]?.id)) {
      return this.appendParts(stream, prepared.slice(tail.length), (tail.at(-1) as RawEvent).revision, first.id);
    }

    const parts = this.split(prepared);
    if (parts.length === 1) {
      const result = await this.write(stream, parts[0] as Prepared[], esdbExpected(expectedRevision), expectedRevision, undefined, false);
      return { ...result, alreadyStored: false };
    }
    return this.appendParts(stream, prepared, esdbExpected(expectedRevision), first.id, expectedRevision);
  }

  async readStream(stream: string, { fromRevision = 0n, maxCount }: ReadStreamOptions = {}): Promise<StoredEvent[]> {
    checkedMaxCount(maxCount);
    if (maxCount === 0) return [];
    const { events } = visibleEvents(await this.readRawStream(stream, fromRevision));
    return events.slice(0, maxCount).map(toStoredEvent);
  }

  async streamRevision(stream: string): Promise<bigint | undefined> {
    return visibleEvents(await this.readRawStream(stream, 0n)).events.at(-1)?.revision;
  }

  async readAll({ after = 0n, maxCount }: ReadAllOptions = {}): Promise<StoredEvent[]> {
    checkedMaxCount(maxCount);
    if (maxCount === 0) return [];
    const raw: RawEvent[] = [];
    let from: ReadPosition = after === 0n ? START : { commit: after, prepare: after };
    for (;;) {
      let read = 0;
      let lastPosition: bigint | undefined;
      for await (const resolved of this.client.readAll({ fromPosition: from, maxCount: pageSize, direction: FORWARDS })) {
        read++;
        const event = resolved.event;
        if (!event) continue;
        lastPosition = event.position.commit;
        // The read starts at `after` itself.
        if (event.position.commit <= after || !event.streamId.startsWith(this.prefix)) continue;
        raw.push(this.toRaw(event));
      }
      const { events } = visibleEvents(raw);
      if (maxCount !== undefined && events.length >= maxCount) return events.slice(0, maxCount).map(toStoredEvent);
      // The end of $all: what is visible so far, up to an unfinished batch if there is one.
      if (read < pageSize || lastPosition === undefined) return events.map(toStoredEvent);
      // Positions are unique, so the page's last event is read again and skipped.
      from = { commit: lastPosition, prepare: lastPosition };
      after = lastPosition;
    }
  }

  async headPosition(): Promise<bigint> {
    // The latest event a reader may see: not an abandonment, not the part of a batch before its marker.
    let from: ReadPosition = END;
    for (;;) {
      let read = 0;
      let last: bigint | undefined;
      for await (const { event } of this.client.readAll({ fromPosition: from, maxCount: pageSize, direction: BACKWARDS })) {
        read++;
        if (!event) continue;
        last = event.position.commit;
        if (!event.streamId.startsWith(this.prefix)) continue;
        const raw = this.toRaw(event);
        if (raw.abandons === undefined && (raw.batch === undefined || raw.end)) return raw.position;
      }
      if (read < pageSize || last === undefined) return 0n;
      from = { commit: last - 1n, prepare: last - 1n };
    }
  }

  subscribe(options: SubscribeOptions): Subscription {
    return this.subscriptions.subscribe(options);
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.subscriptions.stop();
      await this.client.dispose();
    })();
    return this.closing;
  }

  /** Writes `events` in parts within MaxAppendSize, each expecting the revision the last left; the last ends with the marker. */
  private async appendParts(
    stream: string,
    events: Prepared[],
    expected: AppendExpectedRevision,
    batch: string,
    portExpected: ExpectedRevision = expected as ExpectedRevision,
  ): Promise<AppendResult> {
    const parts = this.split(events);
    let revision: AppendExpectedRevision = expected;
    let written = false;
    try {
      let result: Omit<AppendResult, 'alreadyStored'> | undefined;
      for (const [i, part] of parts.entries()) {
        result = await this.write(stream, part, revision, portExpected, batch, i === parts.length - 1);
        written = true;
        revision = result.nextExpectedRevision;
      }
      return { ...(result as Omit<AppendResult, 'alreadyStored'>), alreadyStored: false };
    } catch (error) {
      // Give the parts up for every reader, so they need not wait for a marker that will not come.
      if (written) {
        await this.client
          .appendToStream(this.prefix + stream, jsonEvent({ type: 'BeaconAppendAbandoned', data: {}, metadata: { [abandonsKey]: batch } }), {
            expectedRevision: revision,
          })
          .catch(() => {});
      }
      throw error;
    }
  }

  private async write(
    stream: string,
    events: Prepared[],
    expected: AppendExpectedRevision,
    portExpected: ExpectedRevision,
    batch: string | undefined,
    last: boolean,
  ): Promise<Omit<AppendResult, 'alreadyStored'>> {
    const data = events.map((event, i) => {
      const metadata = { ...event.metadata, ...(batch === undefined ? {} : { [batchKey]: batch }), ...(last && i === events.length - 1 && batch ? { [endKey]: true } : {}) };
      return jsonEvent({ id: event.id, type: event.type, data: event.data as Record<string, unknown>, metadata });
    });
    try {
      const result = await this.client.appendToStream(this.prefix + stream, data, { expectedRevision: expected });
      const position = result.position?.commit;
      if (position === undefined) throw new Error('EventStoreDB did not say where the append was written; Beacon needs EventStoreDB 22.10 or later.');
      return { nextExpectedRevision: result.nextExpectedRevision, lastPosition: position };
    } catch (error) {
      if (error instanceof WrongExpectedVersionError) {
        throw new StreamRevisionConflict(stream, portExpected, error.actualVersion === NO_STREAM ? undefined : (error.actualVersion as bigint));
      }
      throw error;
    }
  }

  /** Consecutive runs of events whose data and metadata fit in one append. */
  private split(events: Prepared[]): Prepared[][] {
    const budget = this.maxAppendSize * 0.9;
    const parts: Prepared[][] = [[]];
    let bytes = 0;
    for (const event of events) {
      const current = parts.at(-1) as Prepared[];
      if (current.length > 0 && bytes + event.bytes > budget) {
        parts.push([event]);
        bytes = event.bytes;
      } else {
        current.push(event);
        bytes += event.bytes;
      }
    }
    return parts;
  }

  /** Every event of the stream from `fromRevision` as stored, hidden ones included. */
  private async readRawStream(stream: string, fromRevision: bigint): Promise<RawEvent[]> {
    const raw: RawEvent[] = [];
    try {
      for await (const { event } of this.client.readStream(this.prefix + stream, { fromRevision, direction: FORWARDS })) {
        if (event) raw.push(this.toRaw(event));
      }
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw error;
    }
    return raw;
  }

  private toRaw(event: RecordedEvent): RawEvent {
    const position = event.position;
    if (!position) throw new Error('EventStoreDB gave no position for an event read from a stream; Beacon needs EventStoreDB 22.10 or later.');
    if (position.commit !== position.prepare) {
      throw new Error(`Event ${event.id} has commit position ${position.commit} but prepare position ${position.prepare}; Beacon's positions need them equal, as EventStoreDB writes them for appends.`);
    }
    const { [batchKey]: batch, [endKey]: end, [abandonsKey]: abandons, [storedAtKey]: storedAt, ...metadata } = (event.metadata ?? {}) as Record<string, unknown>;
    return {
      stream: event.streamId.slice(this.prefix.length),
      id: event.id,
      revision: event.revision,
      position: position.commit,
      type: event.type,
      data: event.data,
      metadata,
      storedAt: typeof storedAt === 'string' ? storedAt : event.created.toISOString(),
      batch: typeof batch === 'string' ? batch : undefined,
      end: end === true,
      abandons: typeof abandons === 'string' ? abandons : undefined,
    };
  }

  /** A live subscription to $all, filtered on the prefix, that only wakes the subscriptions; reads go through readAll. */
  private startWaking(): { live: AllStreamSubscription; poll: NodeJS.Timeout } {
    const wake = () => this.subscriptions.wake();
    const live = this.client.subscribeToAll({ fromPosition: END, filter: streamNameFilter({ prefixes: [this.prefix] }) });
    live.on('data', wake);
    // A dropped live subscription leaves the poll to find appends.
    live.on('error', () => {});
    let knownHead: bigint | undefined;
    const poll = setInterval(() => {
      this.headPosition().then(
        (head) => {
          if (head !== knownHead) {
            knownHead = head;
            wake();
          }
        },
        () => {},
      );
    }, this.pollIntervalMs);
    return { live, poll };
  }

  private stopWaking(): void {
    if (!this.waker) return;
    clearInterval(this.waker.poll);
    void this.waker.live.unsubscribe().catch(() => {});
    this.waker = undefined;
  }
}

function prepare(stream: string, events: Iterable<EventToAppend>): Prepared[] {
  const prepared: Prepared[] = [];
  const seen = new Set<string>();
  for (const event of events) {
    if (typeof event.id !== 'string' || !uuidPattern.test(event.id)) {
      throw new RangeError(`Event id ${JSON.stringify(event.id)} in an append to "${stream}" is not a UUID. Nothing was written.`);
    }
    const id = event.id.toLowerCase();
    if (seen.has(id)) throw new RangeError(`Event ${id} appears twice in one append to "${stream}". Nothing was written.`);
    seen.add(id);
    const json = JSON.stringify(event.data);
    if (json === undefined) throw new TypeError(`Event ${event.id} has no JSON-serialisable data.`);
    const storedAt = requestedStoredAt(event);
    const metadata = { ...event.metadata, ...(storedAt === undefined ? {} : { [storedAtKey]: storedAt }) };
    prepared.push({ id, type: event.type, data: event.data, metadata, bytes: Buffer.byteLength(json) + Buffer.byteLength(JSON.stringify(metadata)) + bytesPerEventOverhead });
  }
  return prepared;
}

/** The parts written so far of a large append that stopped before its marker, at the end of the stream. */
function unfinishedTail(raw: RawEvent[]): RawEvent[] {
  const batch = raw.at(-1)?.batch;
  if (batch === undefined || raw.at(-1)?.end) return [];
  let start = raw.length;
  while (start > 0 && raw[start - 1]?.batch === batch) start--;
  return raw.slice(start);
}

function esdbExpected(expected: ExpectedRevision): AppendExpectedRevision {
  switch (expected) {
    case 'any':
      return ANY;
    case 'no_stream':
      return NO_STREAM;
    case 'stream_exists':
      return STREAM_EXISTS;
    default:
      return expected;
  }
}

function toStoredEvent({ id, stream, revision, position, type, data, metadata, storedAt }: RawEvent): StoredEvent {
  return new LoggedEvent(position, stream, revision, id, type, data, metadata, storedAt);
}
