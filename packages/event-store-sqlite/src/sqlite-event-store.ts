import {
  checkedMaxCount,
  dataJson,
  metadataJson,
  LoggedEvent,
  revisionSatisfies,
  type AppendResult,
  EventIdConflict,
  type EventStore,
  type EventToAppend,
  type ExpectedRevision,
  LogSubscriptions,
  type ReadAllOptions,
  type ReadStreamOptions,
  type StoredEvent,
  StreamRevisionConflict,
  type SubscribeOptions,
  requestedStoredAt,
  type Subscription,
} from '@beacon/event-store';
import type Database from 'better-sqlite3';
import { bytesPerCheckpoint, Checkpointer } from './checkpointer.js';
import { appendCacheKiB, cacheKiB, openDatabase, type Synchronous, walAutocheckpointPages } from './connection.js';
import { isSqliteError } from './schema.js';

export interface SqliteEventStoreOptions {
  /** Path of the database file; created when missing. */
  file: string;
  /**
   * 'normal' (the default): an acknowledged append survives a crash or kill of the process,
   * but the last few may be lost on power failure or an OS crash. Beacon's ingest is
   * idempotent (deterministic event ids), so re-running it restores them.
   * 'full': an fsync per append, so appends survive power loss too, at a cost in latency.
   */
  synchronous?: Synchronous;
  /** How often subscriptions look for appends made through other connections. */
  pollIntervalMs?: number;
}

/** An append's result, and about how many bytes of event data it wrote (for the checkpointer). */
type Appended = AppendResult & { bytes: number };

type EventRow = [position: bigint, stream: string, revision: bigint, id: string, type: string, data: string, metadata: string | null, storedAt: string];

/** An event row with its stream's name (events hold the stream's integer key). */
const columns = 'e.position, s.name, e.revision, e.id, e.type, e.data, e.metadata, e.stored_at';

export async function openSqliteEventStore(options: SqliteEventStoreOptions): Promise<SqliteEventStore> {
  return new SqliteEventStore(options);
}

export class SqliteEventStore implements EventStore {
  private readonly db: Database.Database;
  private readonly statements;
  private readonly appendInTransaction;
  private readonly checkpointer: Checkpointer;
  private readonly subscriptions = new LogSubscriptions((after, maxCount) => this.readAfter(after, maxCount), {
    start: () => this.startPolling(),
    stop: () => this.stopPolling(),
  });
  private readonly pollIntervalMs: number;
  private poll: NodeJS.Timeout | undefined;
  private knownHead = 0n;
  private closing: Promise<void> | undefined;

  constructor({ file, synchronous = 'normal', pollIntervalMs = 25 }: SqliteEventStoreOptions) {
    this.pollIntervalMs = pollIntervalMs;
    const db = openDatabase(file, synchronous);
    this.db = db;
    this.checkpointer = new Checkpointer(file, synchronous);
    // Stream keys stay far below 2^53, so they are plain numbers; positions and revisions are
    // bigints, as the port hands them out (safeIntegers).
    this.statements = {
      streamKey: db.prepare('SELECT key FROM streams WHERE name = ?').pluck(),
      addStream: db.prepare('INSERT INTO streams (name) VALUES (?)'),
      insert: db.prepare(
        'INSERT INTO events (stream, revision, id, type, data, metadata, stored_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      findId: db.prepare('SELECT revision FROM events WHERE stream = ? AND id = ?').pluck().safeIntegers(),
      idsFrom: db
        .prepare('SELECT id, position FROM events WHERE stream = ? AND revision >= ? ORDER BY revision LIMIT ?')
        .raw()
        .safeIntegers(),
      lastRevision: db.prepare('SELECT max(revision) FROM events WHERE stream = ?').pluck().safeIntegers(),
      streamRevision: db
        .prepare('SELECT max(revision) FROM events WHERE stream = (SELECT key FROM streams WHERE name = ?)')
        .pluck()
        .safeIntegers(),
      readStream: db
        .prepare(
          `SELECT ${columns} FROM streams s JOIN events e ON e.stream = s.key WHERE s.name = ? AND e.revision >= ? ORDER BY e.revision LIMIT ?`,
        )
        .raw()
        .safeIntegers(),
      // CROSS JOIN keeps events as the outer loop: a walk of the table in position order.
      readAll: db
        .prepare(`SELECT ${columns} FROM events e CROSS JOIN streams s ON s.key = e.stream WHERE e.position > ? ORDER BY e.position LIMIT ?`)
        .raw()
        .safeIntegers(),
      head: db.prepare('SELECT coalesce(max(position), 0) FROM events').pluck().safeIntegers(),
    };
    this.appendInTransaction = db
      .transaction((stream: string, first: EventToAppend, rest: Iterator<EventToAppend>, expected: ExpectedRevision) =>
        this.appendLocked(stream, first, rest, expected),
      )
      .immediate;
  }

  async append(
    stream: string,
    events: Iterable<EventToAppend>,
    { expectedRevision = 'any' }: { expectedRevision?: ExpectedRevision } = {},
  ): Promise<AppendResult> {
    const pending = events[Symbol.iterator]();
    const first = pending.next();
    if (first.done) throw new RangeError(`Nothing to append to "${stream}": an append needs at least one event.`);
    // Cut back after: reads keep the small cache, and a large append's pages are given back.
    this.db.pragma(`cache_size = -${appendCacheKiB}`);
    let appended: Appended;
    try {
      appended = this.appendInTransaction(stream, first.value, pending, expectedRevision);
    } finally {
      this.db.pragma(`cache_size = -${cacheKiB}`);
      this.db.pragma(`wal_autocheckpoint = ${walAutocheckpointPages}`);
    }
    const { bytes, ...result } = appended;
    if (!result.alreadyStored) {
      this.announce(result.lastPosition);
      this.checkpointer.appended(bytes);
    }
    return result;
  }

  async readStream(stream: string, { fromRevision = 0n, maxCount }: ReadStreamOptions = {}): Promise<StoredEvent[]> {
    return (this.statements.readStream.all(stream, fromRevision, checkedMaxCount(maxCount) ?? -1) as EventRow[]).map(toStoredEvent);
  }

  async streamRevision(stream: string): Promise<bigint | undefined> {
    return (this.statements.streamRevision.get(stream) as bigint | null) ?? undefined;
  }

  async readAll({ after = 0n, maxCount }: ReadAllOptions = {}): Promise<StoredEvent[]> {
    return this.readAfter(after, checkedMaxCount(maxCount) ?? -1);
  }

  async headPosition(): Promise<bigint> {
    return this.statements.head.get() as bigint;
  }

  subscribe(options: SubscribeOptions): Subscription {
    return this.subscriptions.subscribe(options);
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.subscriptions.stop();
      // First, so that closing the last connection checkpoints and removes the WAL, as usual.
      await this.checkpointer.stop();
      this.db.close();
    })();
    return this.closing;
  }

  private appendLocked(stream: string, first: EventToAppend, rest: Iterator<EventToAppend>, expected: ExpectedRevision): Appended {
    const { statements } = this;
    let key = statements.streamKey.get(stream) as number | undefined;
    let current: bigint | undefined;
    if (key !== undefined) {
      const stored = statements.findId.get(key, first.id) as bigint | undefined;
      if (stored !== undefined) return { ...this.retried(stream, key, first, rest, stored), bytes: 0 };
      // A stream exists only with events: its row is written in the same transaction as its first ones.
      current = statements.lastRevision.get(key) as bigint;
    }
    if (!revisionSatisfies(expected, current)) throw new StreamRevisionConflict(stream, expected, current);
    key ??= Number(statements.addStream.run(stream).lastInsertRowid);

    const storedAt = new Date().toISOString();
    let revision = current === undefined ? 0 : Number(current) + 1;
    let position: number | bigint = 0;
    let bytes = 0;
    // Events are prepared one at a time inside the transaction: a lazily produced return is never held whole.
    for (let next: IteratorResult<EventToAppend> = { done: false, value: first }; !next.done; next = rest.next()) {
      const { id, type, data, metadata } = next.value;
      const json = dataJson(id, data);
      bytes += json.length;
      try {
        position = statements.insert.run(key, revision++, id, type, json, metadataJson(metadata), requestedStoredAt(next.value) ?? storedAt)
          .lastInsertRowid;
      } catch (error) {
        if (isSqliteError(error, 'SQLITE_CONSTRAINT_UNIQUE')) throw this.idConflict(stream, key, id, current);
        throw error;
      }
    }
    // An append this large asks the checkpoint thread for a checkpoint by itself (append()). Left
    // to this connection's fallback, the copy of its WAL into the database would run at commit,
    // with the append waiting for it (~0.7 s for a million events).
    if (bytes >= bytesPerCheckpoint) this.db.pragma('wal_autocheckpoint = 0');
    return { nextExpectedRevision: BigInt(revision - 1), lastPosition: BigInt(position), alreadyStored: false, bytes };
  }

  /** The first id is stored: an exact repeat of an earlier append is a retry, anything else a conflict. */
  private retried(stream: string, key: number, first: EventToAppend, rest: Iterator<EventToAppend>, storedRevision: bigint): AppendResult {
    const ids = [first.id];
    for (let next = rest.next(); !next.done; next = rest.next()) ids.push(next.value.id);
    const stored = this.statements.idsFrom.all(key, storedRevision, ids.length) as [string, bigint][];
    const exact = stored.length === ids.length && stored.every(([id], i) => id === ids[i]);
    if (!exact) throw new EventIdConflict(stream, first.id, { stream, revision: storedRevision });
    const last = stored.at(-1) as [string, bigint];
    return { nextExpectedRevision: storedRevision + BigInt(ids.length - 1), lastPosition: last[1], alreadyStored: true };
  }

  /**
   * A unique index refused `id` (the transaction is then rolled back): stored before this append
   * (at or below `current`) it is a conflict; otherwise it was repeated within the append.
   */
  private idConflict(stream: string, key: number, id: string, current: bigint | undefined): Error {
    const stored = this.statements.findId.get(key, id) as bigint | undefined;
    if (stored !== undefined && current !== undefined && stored <= current) return new EventIdConflict(stream, id, { stream, revision: stored });
    return new RangeError(`Event ${id} appears twice in one append to "${stream}". Nothing was written.`);
  }

  private readAfter(after: bigint, maxCount: number): StoredEvent[] {
    return (this.statements.readAll.all(after, maxCount) as EventRow[]).map(toStoredEvent);
  }

  private announce(head: bigint): void {
    this.knownHead = head;
    this.subscriptions.wake();
  }

  /**
   * Appends through other connections are invisible to `announce`; a poll of the head position
   * (an index lookup) finds them. The timer runs only while there are subscriptions, and keeps
   * the process alive meanwhile, as a listening server would.
   */
  private startPolling(): void {
    if (this.poll) return;
    this.knownHead = this.statements.head.get() as bigint;
    this.poll = setInterval(() => {
      let head: bigint;
      try {
        head = this.statements.head.get() as bigint;
      } catch {
        // A throw here would crash the process; the subscriptions' own reads report the problem.
        head = -1n;
      }
      if (head !== this.knownHead) this.announce(head);
    }, this.pollIntervalMs);
  }

  private stopPolling(): void {
    clearInterval(this.poll);
    this.poll = undefined;
  }
}


function toStoredEvent([position, stream, revision, id, type, data, metadata, storedAt]: EventRow): StoredEvent {
  return new LoggedEvent(position, stream, revision, id, type, JSON.parse(data), metadata === null ? {} : JSON.parse(metadata), storedAt);
}
