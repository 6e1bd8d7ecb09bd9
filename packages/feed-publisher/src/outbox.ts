import type { Answer } from '@beacon/read-models';
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
/** A key's latest revision in the outbox and its value (the JSON published). */
export interface LatestRevision {
  revision: number;
  value: string;
}

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

/** A message as published: what a feed file's line and a consumer's (key, revision) hold. */
export type PublishedMessage = Pick<OutboxMessage, 'key' | 'revision' | 'value'>;

/**
 * The feed's outbox: messages wait here, in the order they were added, until the publisher has
 * delivered them. It lives beside the read models (the same SQLite file, or the same PostgreSQL
 * schema), with the reporter's note of how far each month was worked out. Answers come at once
 * (SQLite) or later (PostgreSQL): callers always await them.
 */
export interface Outbox {
  /** Where the outbox is, for messages (never a password). */
  readonly location: string;
  /**
   * Adds messages, all or none, checking each against the schema of its value first: an invalid
   * message is never stored (FeedMessageInvalid names the message and field), so it can never be
   * published. A message already there with the same value is left as it is (re-running a report
   * adds nothing); the same topic, key and revision with another value is an OutboxConflict.
   */
  add<Schema extends z.ZodType>(schema: Schema, messages: readonly FeedMessage<z.input<Schema>>[], writtenAt?: Date): Answer<{ added: number; unchanged: number }>;
  /** The oldest messages not yet sent, in outbox order. */
  pending(limit: number): Answer<OutboxMessage[]>;
  /** Records that these messages were delivered. */
  markSent(positions: readonly number[], sentAt?: Date): Answer<void>;
  /** How many messages wait, and since when the oldest has. */
  backlog(): Answer<{ pending: number; oldestWrittenAt: string | undefined }>;
  /** Each key's highest revision in the topic, and its value, for the keys that have one (one question for a month's keys). */
  latestRevisions(topic: string, keys: readonly string[]): Answer<Map<string, LatestRevision>>;
  /** Every message of the topic about the period, every revision, in outbox order. */
  messagesOf(topic: string, period: string): Answer<PublishedMessage[]>;
  /** Marks the period's messages unsent, so that they go again in outbox order; says how many. */
  resend(topic: string, period: string): Answer<number>;
  /** The read models' checkpoint when the month was last worked out for the feed (undefined: never). */
  checkedPosition(month: string): Answer<bigint | undefined>;
  setCheckedPosition(month: string, position: bigint): Answer<void>;
  /** Closes the connection the outbox opened itself (one it was handed stays open). */
  close(): Answer<void>;
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
  constructor(row: { topic: string; key: string; revision: number }) {
    super(
      `topic ${row.topic}, key ${JSON.stringify(row.key)}: revision ${row.revision} is already in the outbox with another value; a changed message needs the next revision`,
    );
  }
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

const pathOf = (path: readonly PropertyKey[]) => path.map((part, index) => (typeof part === 'number' ? `[${part}]` : `${index === 0 ? '' : '.'}${String(part)}`)).join('');

/** A message checked and ready to store: its value is the JSON text that is published. */
export type OutboxRow = Omit<FeedMessage, 'value'> & { value: string };

/** Every message checked against the envelope and the value's schema, or FeedMessageInvalid naming each problem. */
export function checkedRows<Schema extends z.ZodType>(schema: Schema, messages: readonly FeedMessage<z.input<Schema>>[]): OutboxRow[] {
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
  return rows;
}
