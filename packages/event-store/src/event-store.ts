/**
 * The event-store port: the only thing ingest, projectors and the reporter know about
 * where events live. Every adapter (SQLite, PostgreSQL, EventStoreDB) implements it and
 * must pass the contract suite in `./contract` unchanged.
 */

/** What the caller believes about the stream before appending (optimistic concurrency). */
export type ExpectedRevision =
  | 'no_stream' // the stream must not exist yet
  | 'stream_exists' // the stream must already hold at least one event
  | 'any' // no check
  | bigint; // the stream's last revision must be exactly this (revisions start at 0n)

/** An event as handed to `append`. The id is chosen by the caller and must be deterministic. */
export interface EventToAppend {
  /** UUID; the same logical event always gets the same id, so a retried append is recognised. */
  id: string;
  type: string;
  data: unknown;
  metadata?: Record<string, unknown>;
  /**
   * When the event was first stored, as `StoredEvent.storedAt` gives it (`Date#toISOString()`
   * form, e.g. '2009-04-15T09:30:00.000Z'). Only for copying a log from another store
   * (`copyLog`); omitted, the store records the time of the append. Anything else is a RangeError.
   */
  storedAt?: string;
}

/** An event as stored. */
export interface StoredEvent {
  id: string;
  stream: string;
  /** Position within its stream, from 0n. */
  revision: bigint;
  /** Position in the whole log (global order), from 1n; gaps are allowed, reordering is not. */
  position: bigint;
  type: string;
  data: unknown;
  metadata: Record<string, unknown>;
  /** When the store wrote the event (ISO 8601, UTC). */
  storedAt: string;
}

export interface AppendResult {
  /** The stream's last revision after the append. */
  nextExpectedRevision: bigint;
  /** Global position of the last event of the append. */
  lastPosition: bigint;
  /** True when every event of the append was already stored (a retried append): nothing new was written. */
  alreadyStored: boolean;
}

export interface ReadStreamOptions {
  fromRevision?: bigint;
  /** No limit when omitted. */
  maxCount?: number;
}

export interface ReadAllOptions {
  /** Read events whose position is greater than this (0n = from the start). */
  after?: bigint;
  /** No limit when omitted. */
  maxCount?: number;
}

export interface SubscribeOptions {
  /** Deliver events whose position is greater than this: the subscriber's checkpoint. */
  after: bigint;
  /**
   * Called with each batch, in global order; the next batch is not delivered until the
   * returned promise settles, so a handler can checkpoint once per batch.
   * If the handler throws, the subscription stops and `closed` rejects with that error.
   */
  onEvents: (events: StoredEvent[]) => void | Promise<void>;
  /** Largest batch handed to `onEvents`. */
  batchSize?: number;
}

export interface Subscription {
  /** Stop delivering; resolves once the handler is no longer running. */
  stop(): Promise<void>;
  /** Settles when the subscription ends: resolves after `stop()`, rejects if the handler failed. */
  readonly closed: Promise<void>;
}

export interface EventStore {
  /**
   * Appends all events atomically, or none of them.
   *
   * An append whose first event id is already stored is a retry (say, after a lost
   * acknowledgement) when it matches the stored events exactly: same stream, consecutive
   * revisions, same ids in order. A retry writes nothing, ignores `expectedRevision` and
   * returns what the first append returned, with `alreadyStored: true`.
   *
   * Event ids are unique within a stream (as in EventStoreDB, whose idempotence is per stream);
   * Beacon's ids are derived from the stream's own key, so they are unique in the whole log too.
   *
   * `events` may be produced lazily (a generator): it is consumed once, in order, inside the
   * append, so a return of a million readings never sits in memory twice. If it throws, nothing
   * is written.
   *
   * Rejects, writing nothing, with: `RangeError` for no events or an id repeated within the
   * append; `EventIdConflict` when an id is already stored and it is not a retry;
   * `StreamRevisionConflict` when `expectedRevision` (default 'any') does not hold.
   */
  append(stream: string, events: Iterable<EventToAppend>, options?: { expectedRevision?: ExpectedRevision }): Promise<AppendResult>;
  /** Events of one stream in revision order; an empty array for a stream that does not exist. */
  readStream(stream: string, options?: ReadStreamOptions): Promise<StoredEvent[]>;
  /** The stream's last revision, or undefined when it does not exist. */
  streamRevision(stream: string): Promise<bigint | undefined>;
  /** One page of the whole log in global order. */
  readAll(options?: ReadAllOptions): Promise<StoredEvent[]>;
  /** Catches up from `after`, then delivers new events as they are appended (by any process). */
  subscribe(options: SubscribeOptions): Subscription;
  /** Global position of the last stored event (0n for an empty store). */
  headPosition(): Promise<bigint>;
  /**
   * Stops this instance's subscriptions (their `closed` resolves) and releases its connection.
   * Calling it again does nothing.
   */
  close(): Promise<void>;
}
