import {
  type AppendResult,
  EventIdConflict,
  type EventStore,
  type EventToAppend,
  type ExpectedRevision,
  type ReadAllOptions,
  type ReadStreamOptions,
  type StoredEvent,
  StreamRevisionConflict,
  type SubscribeOptions,
  type Subscription,
} from '@beacon/event-store';
import type Database from 'better-sqlite3';
import { openDatabase, type Synchronous } from './connection.js';
import { isSqliteError } from './schema.js';
import { LogSubscription } from './subscription.js';

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

type EventRow = [position: bigint, stream: string, revision: bigint, id: string, type: string, data: string, metadata: string | null, storedAt: string];

const columns = 'position, stream, revision, id, type, data, metadata, stored_at';

export async function openSqliteEventStore(options: SqliteEventStoreOptions): Promise<SqliteEventStore> {
  return new SqliteEventStore(options);
}

export class SqliteEventStore implements EventStore {
  private readonly db: Database.Database;
  private readonly statements;
  private readonly appendInTransaction;
  private readonly subscriptions = new Set<LogSubscription>();
  private readonly pollIntervalMs: number;
  private poll: NodeJS.Timeout | undefined;
  private knownHead = 0n;
  private closing: Promise<void> | undefined;

  constructor({ file, synchronous = 'normal', pollIntervalMs = 25 }: SqliteEventStoreOptions) {
    this.pollIntervalMs = pollIntervalMs;
    const db = openDatabase(file, synchronous);
    this.db = db;
    this.statements = {
      insert: db.prepare(
        'INSERT INTO events (stream, revision, id, type, data, metadata, stored_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      findId: db.prepare('SELECT revision FROM events WHERE stream = ? AND id = ?').pluck().safeIntegers(),
      idsFrom: db
        .prepare('SELECT id, position FROM events WHERE stream = ? AND revision >= ? ORDER BY revision LIMIT ?')
        .raw()
        .safeIntegers(),
      streamRevision: db.prepare('SELECT max(revision) FROM events WHERE stream = ?').pluck().safeIntegers(),
      readStream: db
        .prepare(`SELECT ${columns} FROM events WHERE stream = ? AND revision >= ? ORDER BY revision LIMIT ?`)
        .raw()
        .safeIntegers(),
      readAll: db.prepare(`SELECT ${columns} FROM events WHERE position > ? ORDER BY position LIMIT ?`).raw().safeIntegers(),
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
    const result = this.appendInTransaction(stream, first.value, pending, expectedRevision);
    if (!result.alreadyStored) this.announce(result.lastPosition);
    return result;
  }

  async readStream(stream: string, { fromRevision = 0n, maxCount }: ReadStreamOptions = {}): Promise<StoredEvent[]> {
    return (this.statements.readStream.all(stream, fromRevision, limit(maxCount)) as EventRow[]).map(toStoredEvent);
  }

  async streamRevision(stream: string): Promise<bigint | undefined> {
    return (this.statements.streamRevision.get(stream) as bigint | null) ?? undefined;
  }

  async readAll({ after = 0n, maxCount }: ReadAllOptions = {}): Promise<StoredEvent[]> {
    return this.readAfter(after, limit(maxCount));
  }

  async headPosition(): Promise<bigint> {
    return this.statements.head.get() as bigint;
  }

  subscribe(options: SubscribeOptions): Subscription {
    const subscription = new LogSubscription((after, maxCount) => this.readAfter(after, maxCount), options, (ended) => {
      this.subscriptions.delete(ended);
      if (this.subscriptions.size === 0) this.stopPolling();
    });
    this.subscriptions.add(subscription);
    this.startPolling();
    return subscription;
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await Promise.all([...this.subscriptions].map((subscription) => subscription.stop()));
      this.stopPolling();
      this.db.close();
    })();
    return this.closing;
  }

  private appendLocked(stream: string, first: EventToAppend, rest: Iterator<EventToAppend>, expected: ExpectedRevision): AppendResult {
    const stored = this.statements.findId.get(stream, first.id) as bigint | undefined;
    if (stored !== undefined) return this.retried(stream, first, rest, stored);

    const current = (this.statements.streamRevision.get(stream) as bigint | null) ?? undefined;
    if (!satisfies(expected, current)) throw new StreamRevisionConflict(stream, expected, current);

    const storedAt = new Date().toISOString();
    let revision = current === undefined ? 0 : Number(current) + 1;
    let position: number | bigint = 0;
    // Events are prepared one at a time inside the transaction: a lazily produced return is never held whole.
    for (let next: IteratorResult<EventToAppend> = { done: false, value: first }; !next.done; next = rest.next()) {
      const [id, type, data, metadata] = prepareRow(next.value);
      try {
        position = this.statements.insert.run(stream, revision++, id, type, data, metadata, storedAt).lastInsertRowid;
      } catch (error) {
        if (isSqliteError(error, 'SQLITE_CONSTRAINT_UNIQUE')) throw this.idConflict(stream, id, current);
        throw error;
      }
    }
    return { nextExpectedRevision: BigInt(revision - 1), lastPosition: BigInt(position), alreadyStored: false };
  }

  /** The first id is stored: an exact repeat of an earlier append is a retry, anything else a conflict. */
  private retried(stream: string, first: EventToAppend, rest: Iterator<EventToAppend>, storedRevision: bigint): AppendResult {
    const ids = [first.id];
    for (let next = rest.next(); !next.done; next = rest.next()) ids.push(next.value.id);
    const stored = this.statements.idsFrom.all(stream, storedRevision, ids.length) as [string, bigint][];
    const exact = stored.length === ids.length && stored.every(([id], i) => id === ids[i]);
    if (!exact) throw new EventIdConflict(stream, first.id, { stream, revision: storedRevision });
    const last = stored.at(-1) as [string, bigint];
    return { nextExpectedRevision: storedRevision + BigInt(ids.length - 1), lastPosition: last[1], alreadyStored: true };
  }

  /**
   * A unique index refused `id` (the transaction is then rolled back): stored before this append
   * (at or below `current`) it is a conflict; otherwise it was repeated within the append.
   */
  private idConflict(stream: string, id: string, current: bigint | undefined): Error {
    const stored = this.statements.findId.get(stream, id) as bigint | undefined;
    if (stored !== undefined && current !== undefined && stored <= current) return new EventIdConflict(stream, id, { stream, revision: stored });
    return new RangeError(`Event ${id} appears twice in one append to "${stream}". Nothing was written.`);
  }

  private readAfter(after: bigint, maxCount: number): StoredEvent[] {
    return (this.statements.readAll.all(after, maxCount) as EventRow[]).map(toStoredEvent);
  }

  private announce(head: bigint): void {
    this.knownHead = head;
    for (const subscription of this.subscriptions) subscription.wake();
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

type PreparedRow = [id: string, type: string, data: string, metadata: string | null];

function prepareRow({ id, type, data, metadata }: EventToAppend): PreparedRow {
  const json = JSON.stringify(data);
  if (json === undefined) throw new TypeError(`Event ${id} has no JSON-serialisable data.`);
  return [id, type, json, metadata && hasKeys(metadata) ? JSON.stringify(metadata) : null];
}

function hasKeys(object: object): boolean {
  for (const _ in object) return true;
  return false;
}

function toStoredEvent([position, stream, revision, id, type, data, metadata, storedAt]: EventRow): StoredEvent {
  return { id, stream, revision, position, type, data: JSON.parse(data), metadata: metadata === null ? {} : JSON.parse(metadata), storedAt };
}

function satisfies(expected: ExpectedRevision, current: bigint | undefined): boolean {
  switch (expected) {
    case 'any':
      return true;
    case 'no_stream':
      return current === undefined;
    case 'stream_exists':
      return current !== undefined;
    default:
      return current === expected;
  }
}

/** SQLite's LIMIT: -1 is no limit. */
function limit(maxCount: number | undefined): number {
  if (maxCount === undefined) return -1;
  if (!Number.isInteger(maxCount) || maxCount < 0) throw new RangeError(`maxCount must be a non-negative integer, not ${maxCount}.`);
  return maxCount;
}
