import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { readModelsWhere } from '@beacon/config';
import Database from 'better-sqlite3';
import type { z } from 'zod';
import { checkedRows, type FeedMessage, type LatestRevision, type Outbox, OutboxConflict, type OutboxMessage, type PublishedMessage } from './outbox.js';

/**
 * The outbox in a SQLite database (better-sqlite3), beside the read models: tables `feed_outbox`
 * and `feed_months`, created when missing. Every answer is given at once, and `add` runs inside
 * the caller's transaction when there is one (better-sqlite3 nests it as a savepoint), so the
 * messages can be written together with the change they come from.
 */
export class SqliteOutbox implements Outbox {
  private readonly statements;

  /** The outbox in `db`; `close()` leaves `db` open unless `closes` says the outbox owns it. */
  constructor(
    private readonly db: Database.Database,
    private readonly options: { closes?: boolean } = {},
  ) {
    // AUTOINCREMENT: a position is never reused, even after the newest rows were deleted.
    db.exec(`
      CREATE TABLE IF NOT EXISTS feed_outbox (
        position INTEGER PRIMARY KEY AUTOINCREMENT,
        topic TEXT NOT NULL,
        key TEXT NOT NULL,
        revision INTEGER NOT NULL,
        period TEXT NOT NULL,
        value TEXT NOT NULL,
        written_at TEXT NOT NULL,
        sent_at TEXT,
        UNIQUE (topic, key, revision)
      ) STRICT;
      CREATE INDEX IF NOT EXISTS feed_outbox_pending ON feed_outbox (position) WHERE sent_at IS NULL;
      CREATE TABLE IF NOT EXISTS feed_months (
        month TEXT PRIMARY KEY,
        -- the read models' checkpoint when the month was last worked out: later readings may revise it
        checked_position INTEGER NOT NULL
      ) STRICT;
    `);
    this.statements = {
      insert: db.prepare(
        'INSERT INTO feed_outbox (topic, key, revision, period, value, written_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (topic, key, revision) DO NOTHING',
      ),
      existing: db.prepare<[string, string, number], { value: string; period: string }>('SELECT value, period FROM feed_outbox WHERE topic = ? AND key = ? AND revision = ?'),
      pending: db.prepare<[number], OutboxMessage>(
        'SELECT position, topic, key, revision, period, value, written_at AS writtenAt FROM feed_outbox WHERE sent_at IS NULL ORDER BY position LIMIT ?',
      ),
      markSent: db.prepare('UPDATE feed_outbox SET sent_at = ? WHERE position = ? AND sent_at IS NULL'),
      backlog: db.prepare<[], { pending: number; oldest: string | null }>('SELECT count(*) AS pending, min(written_at) AS oldest FROM feed_outbox WHERE sent_at IS NULL'),
      latest: db.prepare<[string, string], { revision: number; value: string }>('SELECT revision, value FROM feed_outbox WHERE topic = ? AND key = ? ORDER BY revision DESC LIMIT 1'),
      messagesOf: db.prepare<[string, string], PublishedMessage>('SELECT key, revision, value FROM feed_outbox WHERE topic = ? AND period = ? ORDER BY position'),
      resend: db.prepare('UPDATE feed_outbox SET sent_at = NULL WHERE topic = ? AND period = ?'),
      checked: db.prepare<[string], bigint>('SELECT checked_position FROM feed_months WHERE month = ?').pluck().safeIntegers(),
      setChecked: db.prepare(
        'INSERT INTO feed_months (month, checked_position) VALUES (?, ?) ON CONFLICT (month) DO UPDATE SET checked_position = excluded.checked_position',
      ),
    };
  }

  /** The outbox in the SQLite file, on a connection of its own (WAL: the read models' connection goes on beside it). */
  static open(file: string): SqliteOutbox {
    mkdirSync(dirname(file), { recursive: true });
    const db = new Database(file);
    try {
      db.pragma('busy_timeout = 10000');
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      return new SqliteOutbox(db, { closes: true });
    } catch (error) {
      db.close();
      throw error;
    }
  }

  get location(): string {
    return readModelsWhere({ kind: 'sqlite', file: this.db.name });
  }

  add<Schema extends z.ZodType>(schema: Schema, messages: readonly FeedMessage<z.input<Schema>>[], writtenAt: Date = new Date()): { added: number; unchanged: number } {
    const rows = checkedRows(schema, messages);
    const { insert, existing } = this.statements;
    return this.db.transaction(() => {
      let added = 0;
      for (const row of rows) {
        if (insert.run(row.topic, row.key, row.revision, row.period, row.value, writtenAt.toISOString()).changes === 1) {
          added++;
          continue;
        }
        const earlier = existing.get(row.topic, row.key, row.revision);
        if (earlier?.value !== row.value || earlier.period !== row.period) throw new OutboxConflict(row);
      }
      return { added, unchanged: rows.length - added };
    })();
  }

  pending(limit: number): OutboxMessage[] {
    return this.statements.pending.all(limit);
  }

  markSent(positions: readonly number[], sentAt: Date = new Date()): void {
    const at = sentAt.toISOString();
    this.db.transaction(() => {
      for (const position of positions) this.statements.markSent.run(at, position);
    })();
  }

  backlog(): { pending: number; oldestWrittenAt: string | undefined } {
    const row = this.statements.backlog.get();
    return { pending: row?.pending ?? 0, oldestWrittenAt: row?.oldest ?? undefined };
  }

  latestRevisions(topic: string, keys: readonly string[]): Map<string, LatestRevision> {
    const latest = new Map<string, LatestRevision>();
    for (const key of keys) {
      const found = this.statements.latest.get(topic, key);
      if (found) latest.set(key, found);
    }
    return latest;
  }

  messagesOf(topic: string, period: string): PublishedMessage[] {
    return this.statements.messagesOf.all(topic, period);
  }

  resend(topic: string, period: string): number {
    return this.statements.resend.run(topic, period).changes;
  }

  checkedPosition(month: string): bigint | undefined {
    return this.statements.checked.get(month);
  }

  setCheckedPosition(month: string, position: bigint): void {
    this.statements.setChecked.run(month, position);
  }

  close(): void {
    if (this.options.closes) this.db.close();
  }
}
