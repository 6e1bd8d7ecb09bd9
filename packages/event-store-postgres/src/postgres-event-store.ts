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
  requestedStoredAt,
  type StoredEvent,
  StoreNotUsable,
  StreamRevisionConflict,
  type SubscribeOptions,
  type Subscription,
} from '@beacon/event-store';
import pg from 'pg';
import { AppendListener } from './append-listener.js';
import { addressOf, connectionFailure, describeAddress } from './connection.js';
import { checkedStoreSchema, prepareSchema } from './schema.js';
import { inTransaction } from './transaction.js';
import { quoted } from './versioned-schema.js';

export interface PostgresEventStoreOptions {
  /** postgres://user:password@host:port/database (PG* environment variables fill in what it leaves out). */
  connectionString: string;
  /** The schema holding the store's tables, created when missing; 'beacon' by default. */
  schema?: string;
  /** Connections for appends and reads (one more listens for appends while there are subscriptions). */
  maxConnections?: number;
  /** How long to wait for the server when connecting. */
  connectionTimeoutMs?: number;
  /** The fallback poll for appends a notification did not announce (see AppendListener). */
  pollIntervalMs?: number;
}

/** Rows handed to one INSERT: a 1,000-event return is one statement; a bigger one is sent as it is produced. */
const rowsPerInsert = 1_000;

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type EventRow = [position: bigint, stream: string, revision: bigint, id: string, type: string, data: unknown, metadata: Record<string, unknown> | null, storedAt: bigint];

/** Positions and revisions come back as bigints, as the port hands them out. */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8 ? BigInt : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

export async function openPostgresEventStore(options: PostgresEventStoreOptions): Promise<PostgresEventStore> {
  const schema = checkedStoreSchema(options.schema ?? 'beacon');
  const address = addressOf(options.connectionString);
  const location = `schema "${schema}" of ${describeAddress(address)}`;
  const config: pg.PoolConfig = {
    connectionString: options.connectionString,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 10_000,
    application_name: 'beacon',
    types,
  };
  const pool = new pg.Pool({ ...config, max: options.maxConnections ?? 10 });
  // An idle connection that breaks (say, the server restarts) is dropped; the next query reconnects.
  pool.on('error', () => {});
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (error) {
    await pool.end();
    throw connectionFailure(error, address);
  }
  try {
    const encoding = (await client.query('SHOW server_encoding')).rows[0]?.server_encoding;
    if (encoding !== 'UTF8') {
      throw new StoreNotUsable(location, `the database's encoding is ${encoding}, not UTF8, so it cannot hold every event. Create the database with ENCODING 'UTF8'.`);
    }
    await prepareSchema(client, schema, location);
    client.release();
  } catch (error) {
    client.release(true);
    await pool.end();
    throw error;
  }
  return new PostgresEventStore(pool, config, schema, options.pollIntervalMs ?? 1_000);
}

/**
 * The event store in PostgreSQL.
 *
 * Global order without gaps a subscriber could step over: positions come from a sequence or
 * identity in most outbox designs, and a transaction that took position 10 can commit after
 * one that took 11; a reader that saw 11 and checkpointed it never goes back for 10. Here every
 * append locks the one row of `log_head` (SELECT ... FOR UPDATE) before it reads anything, takes
 * its positions from it, and holds the lock until it commits: appends commit one at a time, in
 * position order, and PostgreSQL makes a committed transaction visible before it releases its
 * locks, so whoever sees position N also sees everything before N. A rolled-back append leaves
 * no gap either (its new head is rolled back too). Chosen over tracking transaction ids
 * (pg_snapshot_xmin) because it needs no special reads, works the same for every reader
 * (readAll, subscriptions, plain SQL), and costs little: Beacon appends whole returns, a
 * 1,000-event append holds the lock for a few milliseconds, and SQLite has one writer anyway.
 * A row lock rather than an advisory lock: it is named by the schema itself, so two stores in
 * one database never share it, and it keeps the head, so `headPosition` is one row.
 *
 * Subscribers wake without polling: each append NOTIFYs a channel named after the schema in its
 * transaction (delivered after the commit) and AppendListener LISTENs on it; appends through
 * this instance wake its subscriptions at once.
 */
export class PostgresEventStore implements EventStore {
  private readonly sql;
  private readonly channel: string;
  private readonly subscriptions: LogSubscriptions;
  private listener: AppendListener | undefined;
  private readonly listenersStopping: Promise<void>[] = [];
  private closing: Promise<void> | undefined;

  constructor(
    private readonly pool: pg.Pool,
    private readonly config: pg.ClientConfig,
    schema: string,
    private readonly pollIntervalMs: number,
  ) {
    this.channel = `beacon_appended_${schema}`;
    this.subscriptions = new LogSubscriptions((after, maxCount) => this.readAfter(after, maxCount), {
      start: () => {
        this.listener ??= new AppendListener(this.config, this.channel, () => this.subscriptions.wake(), () => this.headPosition(), this.pollIntervalMs);
      },
      stop: () => this.stopListening(),
    });
    const s = quoted(schema);
    // Stored times as milliseconds since 1970, made ISO by Date: to_char measured ten times as
    // slow as the rest of a readAll query.
    const columns = `e.position, s.name, e.revision, e.id, e.type, e.data, e.metadata, (extract(epoch FROM e.stored_at) * 1000)::bigint`;
    // Named statements are parsed and planned once per connection; the schema is part of the name.
    const statement = (name: string, text: string) => ({ name: `beacon_${schema}_${name}`, text, rowMode: 'array' as const });
    this.sql = {
      lockHead: statement('lock_head', `SELECT position FROM ${s}.log_head FOR UPDATE`),
      // A statement of its own after the lock: in READ COMMITTED its snapshot includes the append
      // that held the lock before us (one statement would have read with the snapshot from before waiting).
      streamState: statement(
        'stream_state',
        `SELECT s.key,
                (SELECT max(e.revision) FROM ${s}.events e WHERE e.stream = s.key),
                (SELECT e.revision FROM ${s}.events e WHERE e.stream = s.key AND e.id = $2::uuid),
                date_trunc('milliseconds', clock_timestamp())::text
         FROM (SELECT) one LEFT JOIN ${s}.streams s ON s.name = $1`,
      ),
      addStream: statement('add_stream', `INSERT INTO ${s}.streams (name) VALUES ($1) RETURNING key`),
      // unnest turns one array per column into rows: a single statement and round trip for the
      // whole chunk. (ON CONFLICT DO NOTHING, to find a duplicate id inside the transaction,
      // measured about a third slower: a speculative insertion per row.)
      insert: statement(
        'insert',
        `INSERT INTO ${s}.events (position, stream, revision, id, type, data, metadata, stored_at)
         SELECT $1::bigint + r.n, $2::bigint, $3::bigint + r.n, r.id, r.type, r.data, r.metadata, coalesce(r.stored_at, $4::timestamptz)
         FROM unnest($5::uuid[], $6::text[], $7::json[], $8::json[], $9::timestamptz[]) WITH ORDINALITY AS r (id, type, data, metadata, stored_at, n)`,
      ),
      findIds: statement(
        'find_ids',
        `SELECT e.id, e.revision FROM ${s}.streams s JOIN ${s}.events e ON e.stream = s.key WHERE s.name = $1 AND e.id = ANY ($2::uuid[])`,
      ),
      idsFrom: statement(
        'ids_from',
        `SELECT id, position FROM ${s}.events WHERE stream = $1 AND revision >= $2 ORDER BY revision LIMIT $3`,
      ),
      advanceHead: statement('advance_head', `WITH head AS (UPDATE ${s}.log_head SET position = $1) SELECT pg_notify($2, $1::text)`),
      streamRevision: statement(
        'stream_revision',
        `SELECT max(e.revision) FROM ${s}.events e WHERE e.stream = (SELECT key FROM ${s}.streams WHERE name = $1)`,
      ),
      readStream: statement(
        'read_stream',
        `SELECT ${columns} FROM ${s}.streams s JOIN ${s}.events e ON e.stream = s.key
         WHERE s.name = $1 AND e.revision >= $2 ORDER BY e.revision LIMIT $3`,
      ),
      readAll: statement(
        'read_all',
        `SELECT ${columns} FROM ${s}.events e JOIN ${s}.streams s ON s.key = e.stream WHERE e.position > $1 ORDER BY e.position LIMIT $2`,
      ),
      head: statement('head', `SELECT position FROM ${s}.log_head`),
    };
  }

  async append(
    stream: string,
    events: Iterable<EventToAppend>,
    { expectedRevision = 'any' }: { expectedRevision?: ExpectedRevision } = {},
  ): Promise<AppendResult> {
    const pending = events[Symbol.iterator]();
    const first = pending.next();
    if (first.done) throw new RangeError(`Nothing to append to "${stream}": an append needs at least one event.`);
    const firstId = checkedId(first.value, stream);
    let result: AppendResult;
    try {
      result = await inTransaction(this.pool, (client) => this.appendLocked(client, stream, first.value, firstId, pending, expectedRevision), {
        // A retry wrote nothing; ending it releases the lock all the same.
        commits: (appended) => !appended.alreadyStored,
      });
    } catch (error) {
      throw error instanceof DuplicateId ? await this.idConflict(stream, error.ids) : error;
    }
    if (!result.alreadyStored) this.subscriptions.wake();
    return result;
  }

  async readStream(stream: string, { fromRevision = 0n, maxCount }: ReadStreamOptions = {}): Promise<StoredEvent[]> {
    const { rows } = await this.pool.query<EventRow>({ ...this.sql.readStream, values: [stream, fromRevision, checkedMaxCount(maxCount) ?? null] });
    return rows.map(toStoredEvent);
  }

  async streamRevision(stream: string): Promise<bigint | undefined> {
    const { rows } = await this.pool.query<[bigint | null]>({ ...this.sql.streamRevision, values: [stream] });
    return rows[0]?.[0] ?? undefined;
  }

  async readAll({ after = 0n, maxCount }: ReadAllOptions = {}): Promise<StoredEvent[]> {
    return this.readAfter(after, checkedMaxCount(maxCount) ?? null);
  }

  async headPosition(): Promise<bigint> {
    const { rows } = await this.pool.query<[bigint]>(this.sql.head);
    return (rows[0] as [bigint])[0];
  }

  subscribe(options: SubscribeOptions): Subscription {
    return this.subscriptions.subscribe(options);
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.subscriptions.stop();
      await Promise.all(this.listenersStopping);
      await this.pool.end();
    })();
    return this.closing;
  }

  private async appendLocked(
    client: pg.PoolClient,
    stream: string,
    first: EventToAppend,
    firstId: string,
    rest: Iterator<EventToAppend>,
    expected: ExpectedRevision,
  ): Promise<AppendResult> {
    const { sql } = this;
    const head = (await client.query<[bigint]>(sql.lockHead)).rows[0]?.[0] as bigint;
    const [key, last, storedRevision, now] = (await client.query<[bigint | null, bigint | null, bigint | null, string]>({ ...sql.streamState, values: [stream, firstId] }))
      .rows[0] as [bigint | null, bigint | null, bigint | null, string];
    if (key !== null && storedRevision !== null) return this.retried(client, stream, key, firstId, rest, storedRevision);
    const current = last ?? undefined;
    if (!revisionSatisfies(expected, current)) throw new StreamRevisionConflict(stream, expected, current);
    const streamKey = key ?? ((await client.query<[bigint]>({ ...sql.addStream, values: [stream] })).rows[0]?.[0] as bigint);

    let position = head;
    let revision = current ?? -1n;
    const chunk = new Chunk();
    const insert = async () => {
      try {
        await client.query({ ...sql.insert, values: [position, streamKey, revision, now, ...chunk.columns()] });
      } catch (error) {
        if (isUniqueViolation(error, 'events_by_stream_and_id')) throw new DuplicateId(chunk.ids);
        throw error;
      }
      position += BigInt(chunk.ids.length);
      revision += BigInt(chunk.ids.length);
      chunk.clear();
    };
    // Events are prepared a chunk at a time inside the transaction: a lazily produced return is never held whole.
    for (let next: IteratorResult<EventToAppend> = { done: false, value: first }; !next.done; next = rest.next()) {
      chunk.add(next.value, stream);
      if (chunk.ids.length === rowsPerInsert) await insert();
    }
    if (chunk.ids.length > 0) await insert();
    await client.query({ ...sql.advanceHead, values: [position, this.channel] });
    return { nextExpectedRevision: revision, lastPosition: position, alreadyStored: false };
  }

  /** The first id is stored: an exact repeat of an earlier append is a retry, anything else a conflict. */
  private async retried(
    client: pg.PoolClient,
    stream: string,
    key: bigint,
    firstId: string,
    rest: Iterator<EventToAppend>,
    storedRevision: bigint,
  ): Promise<AppendResult> {
    const ids = [firstId];
    for (let next = rest.next(); !next.done; next = rest.next()) ids.push(next.value.id.toLowerCase());
    const stored = (await client.query<[string, bigint]>({ ...this.sql.idsFrom, values: [key, storedRevision, ids.length] })).rows;
    const exact = stored.length === ids.length && stored.every(([id], i) => id === ids[i]);
    if (!exact) throw new EventIdConflict(stream, firstId, { stream, revision: storedRevision });
    return { nextExpectedRevision: storedRevision + BigInt(ids.length - 1), lastPosition: (stored.at(-1) as [string, bigint])[1], alreadyStored: true };
  }

  /**
   * The insert of `ids` hit an id the stream holds, and the append was rolled back. An id of
   * theirs still stored was there before the append: a conflict. If none is, the append held one
   * id twice. (Should another append store one of these ids in the meantime, that is the conflict
   * reported: the append is refused either way.)
   */
  private async idConflict(stream: string, ids: string[]): Promise<Error> {
    const stored = new Map((await this.pool.query<[string, bigint]>({ ...this.sql.findIds, values: [stream, ids] })).rows);
    const id = ids.find((candidate) => stored.has(candidate));
    if (id !== undefined) return new EventIdConflict(stream, id, { stream, revision: stored.get(id) as bigint });
    const seen = new Set<string>();
    const repeated = ids.find((candidate) => seen.size === seen.add(candidate).size);
    return new RangeError(`Event ${repeated ?? 'id'} appears twice in one append to "${stream}". Nothing was written.`);
  }

  private async readAfter(after: bigint, maxCount: number | null): Promise<StoredEvent[]> {
    const { rows } = await this.pool.query<EventRow>({ ...this.sql.readAll, values: [after, maxCount] });
    return rows.map(toStoredEvent);
  }

  private stopListening(): void {
    if (!this.listener) return;
    this.listenersStopping.push(this.listener.stop());
    this.listener = undefined;
  }
}

/** The insert of these ids broke the stream's unique ids. */
class DuplicateId extends Error {
  constructor(readonly ids: string[]) {
    super('An event id is already in the stream.');
  }
}

function isUniqueViolation(error: unknown, constraint: string): boolean {
  return error instanceof Error && (error as { code?: string }).code === '23505' && (error as { constraint?: string }).constraint === constraint;
}

/** One INSERT's worth of events, a column array each, as unnest takes them. */
class Chunk {
  ids: string[] = [];
  private types: string[] = [];
  private data: string[] = [];
  private metadata: (string | null)[] = [];
  private storedAt: (string | null)[] = [];

  add(event: EventToAppend, stream: string): void {
    const { type, data, metadata } = event;
    const id = checkedId(event, stream);
    const json = dataJson(event.id, data);
    this.ids.push(id);
    this.types.push(type);
    this.data.push(json);
    this.metadata.push(metadataJson(metadata));
    this.storedAt.push(requestedStoredAt(event) ?? null);
  }

  columns(): unknown[] {
    return [this.ids, this.types, this.data, this.metadata, this.storedAt];
  }

  clear(): void {
    this.ids = [];
    this.types = [];
    this.data = [];
    this.metadata = [];
    this.storedAt = [];
  }
}

/** Ids are stored as uuid, which PostgreSQL gives back in lower case. */
function checkedId(event: EventToAppend, stream: string): string {
  if (typeof event.id !== 'string' || !uuidPattern.test(event.id)) {
    throw new RangeError(`Event id ${JSON.stringify(event.id)} in an append to "${stream}" is not a UUID. Nothing was written.`);
  }
  return event.id.toLowerCase();
}


function toStoredEvent([position, stream, revision, id, type, data, metadata, storedAt]: EventRow): StoredEvent {
  return new LoggedEvent(position, stream, revision, id, type, data, metadata ?? {}, new Date(Number(storedAt)).toISOString());
}
