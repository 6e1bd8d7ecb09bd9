import { readModelsWhere } from '@beacon/config';
import { inTransaction } from '@beacon/event-store-postgres';
import pg from 'pg';
import type { z } from 'zod';
import { checkedRows, type FeedMessage, type LatestRevision, type Outbox, OutboxConflict, type OutboxMessage, type PublishedMessage } from './outbox.js';

export interface PostgresOutboxOptions {
  /** postgres://user:password@host:port/database (PG* environment variables fill in what it leaves out). */
  url: string;
  /** The read models' schema (e.g. beacon_records): the outbox lives beside them. */
  schema: string;
}

/** One writer at a time in the schema's outbox (and one creator of its tables). */
const lockOutbox = "SELECT pg_advisory_xact_lock(hashtextextended('beacon-feed-outbox:' || $1, 0))";

/**
 * The outbox in PostgreSQL, in the read models' schema: tables `feed_outbox` and `feed_months`
 * as in SQLite (the schema and tables are created when missing). Values are kept as text, so a
 * message goes out byte for byte as it was added.
 */
export class PostgresOutbox implements Outbox {
  private readonly sql;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly schema: string,
    readonly location: string,
  ) {
    const outbox = `${pg.escapeIdentifier(schema)}.feed_outbox`;
    const months = `${pg.escapeIdentifier(schema)}.feed_months`;
    this.sql = {
      // One statement for the whole batch; ORDER BY keeps the positions in the messages' order.
      insert: `INSERT INTO ${outbox} (topic, key, revision, period, value, written_at)
               SELECT topic, key, revision, period, value, $6 FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::text[])
                 WITH ORDINALITY AS m (topic, key, revision, period, value, n) ORDER BY n
               ON CONFLICT (topic, key, revision) DO NOTHING`,
      // Run after the insert, so a repeat within the batch is compared with its first copy.
      conflict: `SELECT m.topic, m.key, m.revision FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::text[]) AS m (topic, key, revision, period, value)
                 JOIN ${outbox} o USING (topic, key, revision) WHERE o.value <> m.value OR o.period <> m.period LIMIT 1`,
      pending: `SELECT position, topic, key, revision, period, value, written_at AS "writtenAt" FROM ${outbox} WHERE sent_at IS NULL ORDER BY position LIMIT $1`,
      markSent: `UPDATE ${outbox} SET sent_at = $1 WHERE position = ANY($2::bigint[]) AND sent_at IS NULL`,
      backlog: `SELECT count(*)::int AS pending, min(written_at) AS oldest FROM ${outbox} WHERE sent_at IS NULL`,
      latest: `SELECT DISTINCT ON (key) key, revision, value FROM ${outbox} WHERE topic = $1 AND key = ANY ($2::text[]) ORDER BY key, revision DESC`,
      messagesOf: `SELECT key, revision, value FROM ${outbox} WHERE topic = $1 AND period = $2 ORDER BY position`,
      resend: `UPDATE ${outbox} SET sent_at = NULL WHERE topic = $1 AND period = $2`,
      checked: `SELECT checked_position FROM ${months} WHERE month = $1`,
      setChecked: `INSERT INTO ${months} (month, checked_position) VALUES ($1, $2) ON CONFLICT (month) DO UPDATE SET checked_position = excluded.checked_position`,
    };
  }

  /** The outbox in `schema`, which is created, with the tables, when missing. */
  static async open({ url, schema }: PostgresOutboxOptions): Promise<PostgresOutbox> {
    const pool = new pg.Pool({ connectionString: url, connectionTimeoutMillis: 10_000, application_name: 'beacon-feed-outbox', max: 4 });
    // An idle connection that breaks (say, the server restarts) is dropped; the next query reconnects.
    pool.on('error', () => {});
    const quoted = pg.escapeIdentifier(schema);
    try {
      await inTransaction(pool, async (client) => {
        // Openers at the same moment would race to create the same tables.
        await client.query(lockOutbox, [schema]);
        await client.query(`
          CREATE SCHEMA IF NOT EXISTS ${quoted};
          -- An identity never hands out a position twice, even after the newest rows were deleted.
          CREATE TABLE IF NOT EXISTS ${quoted}.feed_outbox (
            position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            topic text NOT NULL,
            key text NOT NULL,
            revision integer NOT NULL,
            period text NOT NULL,
            value text NOT NULL,
            written_at text NOT NULL,
            sent_at text,
            UNIQUE (topic, key, revision)
          );
          CREATE INDEX IF NOT EXISTS feed_outbox_pending ON ${quoted}.feed_outbox (position) WHERE sent_at IS NULL;
          CREATE TABLE IF NOT EXISTS ${quoted}.feed_months (
            month text PRIMARY KEY,
            -- the read models' checkpoint when the month was last worked out: later readings may revise it
            checked_position bigint NOT NULL
          );`);
      });
    } catch (error) {
      await pool.end();
      throw error;
    }
    return new PostgresOutbox(pool, schema, readModelsWhere({ kind: 'postgres', url, schema }));
  }

  async add<Schema extends z.ZodType>(schema: Schema, messages: readonly FeedMessage<z.input<Schema>>[], writtenAt: Date = new Date()): Promise<{ added: number; unchanged: number }> {
    const rows = checkedRows(schema, messages);
    if (rows.length === 0) return { added: 0, unchanged: 0 };
    const columns = [rows.map((r) => r.topic), rows.map((r) => r.key), rows.map((r) => r.revision), rows.map((r) => r.period), rows.map((r) => r.value)];
    return inTransaction(this.pool, async (client) => {
      // Held until the transaction ends: positions then commit in the order they were taken, so
      // the publisher never passes over a position that another writer commits later.
      await client.query(lockOutbox, [this.schema]);
      const added = (await client.query(this.sql.insert, [...columns, writtenAt.toISOString()])).rowCount ?? 0;
      const conflict = (await client.query<{ topic: string; key: string; revision: number }>(this.sql.conflict, columns)).rows[0];
      if (conflict) throw new OutboxConflict(conflict);
      return { added, unchanged: rows.length - added };
    });
  }

  async pending(limit: number): Promise<OutboxMessage[]> {
    // A bigint comes as text from pg; positions stay far below 2^53.
    const { rows } = await this.pool.query<Omit<OutboxMessage, 'position'> & { position: string }>(this.sql.pending, [limit]);
    return rows.map((row) => ({ ...row, position: Number(row.position) }));
  }

  async markSent(positions: readonly number[], sentAt: Date = new Date()): Promise<void> {
    await this.pool.query(this.sql.markSent, [sentAt.toISOString(), positions]);
  }

  async backlog(): Promise<{ pending: number; oldestWrittenAt: string | undefined }> {
    const row = (await this.pool.query<{ pending: number; oldest: string | null }>(this.sql.backlog)).rows[0];
    return { pending: row?.pending ?? 0, oldestWrittenAt: row?.oldest ?? undefined };
  }

  async latestRevisions(topic: string, keys: readonly string[]): Promise<Map<string, LatestRevision>> {
    const { rows } = await this.pool.query<LatestRevision & { key: string }>(this.sql.latest, [topic, keys]);
    return new Map(rows.map(({ key, revision, value }) => [key, { revision, value }]));
  }

  async messagesOf(topic: string, period: string): Promise<PublishedMessage[]> {
    return (await this.pool.query<PublishedMessage>(this.sql.messagesOf, [topic, period])).rows;
  }

  async resend(topic: string, period: string): Promise<number> {
    return (await this.pool.query(this.sql.resend, [topic, period])).rowCount ?? 0;
  }

  async checkedPosition(month: string): Promise<bigint | undefined> {
    const row = (await this.pool.query<{ checked_position: string }>(this.sql.checked, [month])).rows[0];
    return row && BigInt(row.checked_position);
  }

  async setCheckedPosition(month: string, position: bigint): Promise<void> {
    await this.pool.query(this.sql.setChecked, [month, String(position)]);
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}
