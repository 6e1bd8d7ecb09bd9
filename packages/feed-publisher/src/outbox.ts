import type Database from 'better-sqlite3';
import { z } from 'zod';

/** A message for the feed, as its writer hands it to the outbox. */
export interface FeedMessage<Value = unknown> {
  /** The Kafka topic; the file sink's folder. */
  topic: string;
  /** What the message is about: the Kafka message key, so compaction keeps the latest revision per key. */
  key: string;
  /** 1 for the first message about this key, one more for each change; consumers dedupe on (key, revision). */
  revision: number;
  /** The period the message is about (e.g. 2009-03): the file sink writes one file per period. */
  period: string;
  value: Value;
}

/** A message waiting in the outbox, its value already the JSON text that is published. */
export interface OutboxMessage {
  /** Its place in the outbox: messages are published in this order. */
  position: number;
  topic: string;
  key: string;
  revision: number;
  period: string;
  value: string;
  writtenAt: string;
}

export class FeedMessageInvalid extends Error {
  override readonly name = 'FeedMessageInvalid';
  constructor(readonly problems: string[]) {
    super(`${problems.length === 1 ? 'A feed message is' : `${problems.length} feed messages are`} not valid, nothing was added to the outbox:\n${problems.join('\n')}`);
  }
}

/** The same topic, key and revision with a different value: consumers deduping on (key, revision) would drop it. */
export class OutboxConflict extends Error {
  override readonly name = 'OutboxConflict';
}

// Kafka's rule for topic names; the period becomes a file name, so it is kept as plain.
const envelope = {
  topic: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,249}$/, 'a topic name is 1 to 249 letters, digits, ".", "_" or "-"')
    .refine((topic) => topic !== '.' && topic !== '..', 'a topic cannot be "." or ".."'),
  key: z.string().min(1),
  revision: z.number().int().min(1),
  period: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'a period is letters, digits, ".", "_" or "-", e.g. 2009-03'),
};

/** Creates the outbox table if the database has none. Every function here calls it, so calling it is optional. */
export function prepareOutbox(db: Database.Database): void {
  // Looked up each time rather than remembered: a caller's transaction that created it may have been rolled back.
  if (db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'feed_outbox'").get()) return;
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
  `);
}

const pathOf = (path: readonly PropertyKey[]) => path.map((part, index) => (typeof part === 'number' ? `[${part}]` : `${index === 0 ? '' : '.'}${String(part)}`)).join('');

/**
 * Adds messages to the outbox, all or none, checking each against the schema of its value first:
 * an invalid message is never stored, so it can never be published. Runs inside the caller's
 * transaction when there is one (better-sqlite3 nests it as a savepoint), so the messages are
 * written together with the read-model change they come from. A message already in the outbox
 * with the same value is left as it is (re-running a report adds nothing).
 */
export function addToOutbox<Schema extends z.ZodType>(
  db: Database.Database,
  schema: Schema,
  messages: readonly FeedMessage<z.input<Schema>>[],
  writtenAt: Date = new Date(),
): { added: number; unchanged: number } {
  prepareOutbox(db);
  const check = z.object({ ...envelope, value: schema });
  const problems: string[] = [];
  const rows = messages.flatMap((message, index) => {
    const parsed = check.safeParse(message);
    if (parsed.success) {
      // zod cannot narrow the generic schema's output; this is the object it checked.
      const data = parsed.data as Omit<FeedMessage, 'value'> & { value: unknown };
      return [{ ...data, value: JSON.stringify(data.value) }];
    }
    const about = `message ${index + 1} (key ${JSON.stringify(message.key)}, revision ${message.revision})`;
    problems.push(...parsed.error.issues.map((issue) => `  ${about}: ${pathOf(issue.path)}: ${issue.message}`));
    return [];
  });
  if (problems.length > 0) throw new FeedMessageInvalid(problems);

  const insert = db.prepare(
    'INSERT INTO feed_outbox (topic, key, revision, period, value, written_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (topic, key, revision) DO NOTHING',
  );
  const existing = db.prepare<[string, string, number], { value: string; period: string }>('SELECT value, period FROM feed_outbox WHERE topic = ? AND key = ? AND revision = ?');
  return db.transaction(() => {
    let added = 0;
    for (const row of rows) {
      if (insert.run(row.topic, row.key, row.revision, row.period, row.value, writtenAt.toISOString()).changes === 1) {
        added++;
        continue;
      }
      const earlier = existing.get(row.topic, row.key, row.revision);
      if (earlier?.value !== row.value || earlier.period !== row.period) {
        throw new OutboxConflict(
          `topic ${row.topic}, key ${JSON.stringify(row.key)}: revision ${row.revision} is already in the outbox with another value; a changed message needs the next revision`,
        );
      }
    }
    return { added, unchanged: rows.length - added };
  })();
}

/** The oldest messages not yet sent, in outbox order. */
export function pendingMessages(db: Database.Database, limit: number): OutboxMessage[] {
  prepareOutbox(db);
  return db
    .prepare<[number], OutboxMessage>(
      'SELECT position, topic, key, revision, period, value, written_at AS writtenAt FROM feed_outbox WHERE sent_at IS NULL ORDER BY position LIMIT ?',
    )
    .all(limit);
}

/** Records that these messages were delivered. */
export function markSent(db: Database.Database, positions: readonly number[], sentAt: Date = new Date()): void {
  prepareOutbox(db);
  const mark = db.prepare('UPDATE feed_outbox SET sent_at = ? WHERE position = ? AND sent_at IS NULL');
  const at = sentAt.toISOString();
  db.transaction(() => {
    for (const position of positions) mark.run(at, position);
  })();
}

/** How many messages wait, and since when the oldest has. */
export function outboxBacklog(db: Database.Database): { pending: number; oldestWrittenAt: string | undefined } {
  prepareOutbox(db);
  const row = db
    .prepare<[], { pending: number; oldest: string | null }>('SELECT count(*) AS pending, min(written_at) AS oldest FROM feed_outbox WHERE sent_at IS NULL')
    .get();
  return { pending: row?.pending ?? 0, oldestWrittenAt: row?.oldest ?? undefined };
}
