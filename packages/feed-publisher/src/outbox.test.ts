import Database from 'better-sqlite3';
import { beforeEach, describe, expect, it } from 'vitest';
import { addToOutbox, FeedMessageInvalid, markSent, OutboxConflict, outboxBacklog, pendingMessages } from './outbox.js';
import { testMessage, testMessages, testValueSchema } from './test-support/messages.js';

describe('the outbox', () => {
  let db: Database.Database;
  beforeEach(() => {
    db = new Database(':memory:');
  });

  it('keeps messages in the order they were added, their values as the schema gives them', () => {
    addToOutbox(db, testValueSchema, testMessages('feed', 2), new Date('2009-04-01T00:00:00Z'));
    addToOutbox(db, testValueSchema, testMessages('feed', 1, { from: 2 }));
    const pending = pendingMessages(db, 10);
    expect(pending.map((message) => message.key)).toEqual(['p0/2009-03', 'p1/2009-03', 'p2/2009-03']);
    expect(pending[0]).toEqual({
      position: 1,
      topic: 'feed',
      key: 'p0/2009-03',
      revision: 1,
      period: '2009-03',
      value: '{"partnership":"p0","period":"2009-03","measures":[{"id":"NI16","value":0,"rag":"green"}]}',
      writtenAt: '2009-04-01T00:00:00.000Z',
    });
    expect(pendingMessages(db, 2)).toHaveLength(2);
  });

  it('refuses a message that fails the schema, naming the field, and adds none of the others', () => {
    const broken = testMessage('feed', 1);
    (broken.value.measures[0] as { rag: string }).rag = 'purple';
    const attempt = () => addToOutbox(db, testValueSchema, [testMessage('feed', 0), broken, testMessage('feed', 2)]);
    expect(attempt).toThrow(FeedMessageInvalid);
    expect(attempt).toThrow(/message 2 \(key "p1\/2009-03", revision 1\): value\.measures\[0\]\.rag: Invalid option/);
    expect(outboxBacklog(db).pending).toBe(0);
  });

  it('refuses a topic Kafka would refuse and a period that is not a plain file name', () => {
    const message = testMessage('feed', 0);
    expect(() => addToOutbox(db, testValueSchema, [{ ...message, topic: 'kent feed' }])).toThrow(/: topic: a topic name is/);
    expect(() => addToOutbox(db, testValueSchema, [{ ...message, period: '../2009-03' }])).toThrow(/: period: a period is/);
    expect(() => addToOutbox(db, testValueSchema, [{ ...message, revision: 0 }])).toThrow(/: revision: /);
  });

  it('adds nothing for a message already there, and refuses another value under the same revision', () => {
    expect(addToOutbox(db, testValueSchema, testMessages('feed', 2))).toEqual({ added: 2, unchanged: 0 });
    expect(addToOutbox(db, testValueSchema, testMessages('feed', 2))).toEqual({ added: 0, unchanged: 2 });
    const changed = testMessage('feed', 0);
    changed.value.measures = [{ id: 'NI16', value: 99, rag: 'green' }];
    expect(() => addToOutbox(db, testValueSchema, [changed])).toThrow(OutboxConflict);
    expect(addToOutbox(db, testValueSchema, [{ ...changed, revision: 2 }])).toEqual({ added: 1, unchanged: 0 });
  });

  it("is written in the caller's transaction: rolled back with it", () => {
    db.exec('CREATE TABLE report (id INTEGER PRIMARY KEY)');
    const publishReport = db.transaction(() => {
      db.prepare('INSERT INTO report DEFAULT VALUES').run();
      addToOutbox(db, testValueSchema, testMessages('feed', 2));
      throw new Error('the report failed after writing its messages');
    });
    expect(publishReport).toThrow('the report failed');
    expect(outboxBacklog(db).pending).toBe(0);
    expect(db.prepare('SELECT count(*) AS n FROM report').get()).toEqual({ n: 0 });
  });

  it('no longer lists messages marked sent', () => {
    addToOutbox(db, testValueSchema, testMessages('feed', 3), new Date('2009-04-01T00:00:00Z'));
    markSent(db, [1, 2]);
    expect(pendingMessages(db, 10).map((message) => message.position)).toEqual([3]);
    expect(outboxBacklog(db)).toEqual({ pending: 1, oldestWrittenAt: '2009-04-01T00:00:00.000Z' });
  });
});
