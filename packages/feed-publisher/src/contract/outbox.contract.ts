/**
 * The behaviour every outbox must show. An implementation's test file calls
 * `describeOutboxContract` once; the tests use nothing but the port, so the same suite runs
 * unchanged against SQLite and PostgreSQL.
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import { FeedMessageInvalid, type Outbox, OutboxConflict } from '../outbox.js';
import { testMessage, testMessages, testValueSchema } from '../test-support/messages.js';

export function describeOutboxContract(name: string, open: () => Promise<Outbox>): void {
  async function fresh(): Promise<Outbox> {
    const outbox = await open();
    onTestFinished(() => outbox.close());
    return outbox;
  }
  /** A call's failure, whether the outbox throws at once or rejects. */
  const failureOf = (call: () => unknown) => (async () => call())();

  describe(`outbox contract: ${name}`, () => {
    it('keeps messages in the order they were added, their values as the schema gives them', async () => {
      const outbox = await fresh();
      await outbox.add(testValueSchema, testMessages('feed', 2), new Date('2009-04-01T00:00:00Z'));
      await outbox.add(testValueSchema, testMessages('feed', 1, { from: 2 }));
      const pending = await outbox.pending(10);
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
      expect(await outbox.pending(2)).toHaveLength(2);
    });

    it('refuses a message that fails the schema, naming the field, and adds none of the others', async () => {
      const outbox = await fresh();
      const broken = testMessage('feed', 1);
      (broken.value.measures[0] as { rag: string }).rag = 'purple';
      const attempt = () => failureOf(() => outbox.add(testValueSchema, [testMessage('feed', 0), broken, testMessage('feed', 2)]));
      await expect(attempt()).rejects.toThrow(FeedMessageInvalid);
      await expect(attempt()).rejects.toThrow(/message 2 \(key "p1\/2009-03", revision 1\): value\.measures\[0\]\.rag: Invalid option/);
      expect((await outbox.backlog()).pending).toBe(0);
    });

    it('refuses a topic Kafka would refuse and a period that is not a plain file name', async () => {
      const outbox = await fresh();
      const message = testMessage('feed', 0);
      await expect(failureOf(() => outbox.add(testValueSchema, [{ ...message, topic: 'kent feed' }]))).rejects.toThrow(/: topic: a topic name is/);
      await expect(failureOf(() => outbox.add(testValueSchema, [{ ...message, period: '../2009-03' }]))).rejects.toThrow(/: period: a period is/);
      await expect(failureOf(() => outbox.add(testValueSchema, [{ ...message, revision: 0 }]))).rejects.toThrow(/: revision: /);
    });

    it('adds nothing for a message already there, and refuses another value under the same revision', async () => {
      const outbox = await fresh();
      expect(await outbox.add(testValueSchema, testMessages('feed', 2))).toEqual({ added: 2, unchanged: 0 });
      expect(await outbox.add(testValueSchema, testMessages('feed', 2))).toEqual({ added: 0, unchanged: 2 });
      const changed = testMessage('feed', 0);
      changed.value.measures = [{ id: 'NI16', value: 99, rag: 'green' }];
      await expect(failureOf(() => outbox.add(testValueSchema, [changed]))).rejects.toThrow(OutboxConflict);
      await expect(failureOf(() => outbox.add(testValueSchema, [changed]))).rejects.toThrow(/topic feed, key "p0\/2009-03": revision 1 is already in the outbox with another value/);
      expect(await outbox.add(testValueSchema, [{ ...changed, revision: 2 }])).toEqual({ added: 1, unchanged: 0 });
      // The same message twice in one call is one message; twice with two values, a conflict.
      expect(await outbox.add(testValueSchema, [testMessage('feed', 5), testMessage('feed', 5)])).toEqual({ added: 1, unchanged: 1 });
      await expect(failureOf(() => outbox.add(testValueSchema, [testMessage('feed', 6), { ...changed, key: 'p6/2009-03' }]))).rejects.toThrow(OutboxConflict);
    });

    it('adds all or none: a conflict part-way leaves the messages before it out too', async () => {
      const outbox = await fresh();
      await outbox.add(testValueSchema, testMessages('feed', 1));
      const changed = testMessage('feed', 0);
      changed.value.measures = [{ id: 'NI16', value: 99, rag: 'green' }];
      await expect(failureOf(() => outbox.add(testValueSchema, [...testMessages('feed', 3, { from: 1 }), changed]))).rejects.toThrow(OutboxConflict);
      expect(await outbox.backlog()).toMatchObject({ pending: 1 });
      expect((await outbox.pending(10)).map((message) => message.key)).toEqual(['p0/2009-03']);
      // Nothing of the failed call was kept, so the next one adds them.
      expect(await outbox.add(testValueSchema, testMessages('feed', 3, { from: 1 }))).toEqual({ added: 3, unchanged: 0 });
    });

    it('no longer lists messages marked sent', async () => {
      const outbox = await fresh();
      expect(await outbox.backlog()).toEqual({ pending: 0, oldestWrittenAt: undefined });
      await outbox.add(testValueSchema, testMessages('feed', 3), new Date('2009-04-01T00:00:00Z'));
      await outbox.markSent([1, 2]);
      expect((await outbox.pending(10)).map((message) => message.position)).toEqual([3]);
      expect(await outbox.backlog()).toEqual({ pending: 1, oldestWrittenAt: '2009-04-01T00:00:00.000Z' });
      // Marking again, or nothing, changes nothing.
      await outbox.markSent([1]);
      await outbox.markSent([]);
      expect(await outbox.backlog()).toEqual({ pending: 1, oldestWrittenAt: '2009-04-01T00:00:00.000Z' });
    });

    it("gives each key's latest revision and its value, per topic, for the keys that have one", async () => {
      const outbox = await fresh();
      expect(await outbox.latestRevisions('feed', ['p0/2009-03'])).toEqual(new Map());
      await outbox.add(testValueSchema, [
        testMessage('feed', 0),
        testMessage('feed', 0, { revision: 3 }),
        testMessage('feed', 0, { revision: 2 }),
        testMessage('other', 0, { revision: 7 }),
        testMessage('feed', 2),
      ]);
      const latest = await outbox.latestRevisions('feed', ['p0/2009-03', 'p1/2009-03', 'p2/2009-03']);
      expect(latest).toEqual(
        new Map([
          ['p0/2009-03', { revision: 3, value: '{"partnership":"p0","period":"2009-03","measures":[{"id":"NI16","value":0,"rag":"green"}]}' }],
          ['p2/2009-03', { revision: 1, value: '{"partnership":"p2","period":"2009-03","measures":[{"id":"NI16","value":2,"rag":"green"}]}' }],
        ]),
      );
      expect((await outbox.latestRevisions('other', ['p0/2009-03'])).get('p0/2009-03')).toMatchObject({ revision: 7 });
      expect(await outbox.latestRevisions('feed', [])).toEqual(new Map());
    });

    it("gives a period's messages of a topic, every revision, in outbox order, sent or not", async () => {
      const outbox = await fresh();
      await outbox.add(testValueSchema, [...testMessages('feed', 2), ...testMessages('feed', 1, { period: '2009-04' }), testMessage('other', 0)]);
      await outbox.add(testValueSchema, [testMessage('feed', 1, { revision: 2 })]);
      await outbox.markSent([1]);
      expect(await outbox.messagesOf('feed', '2009-03')).toEqual([
        { key: 'p0/2009-03', revision: 1, value: '{"partnership":"p0","period":"2009-03","measures":[{"id":"NI16","value":0,"rag":"green"}]}' },
        { key: 'p1/2009-03', revision: 1, value: '{"partnership":"p1","period":"2009-03","measures":[{"id":"NI16","value":1,"rag":"green"}]}' },
        { key: 'p1/2009-03', revision: 2, value: '{"partnership":"p1","period":"2009-03","measures":[{"id":"NI16","value":1,"rag":"green"}]}' },
      ]);
      expect(await outbox.messagesOf('feed', '2009-05')).toEqual([]);
    });

    it("sends a period's messages again: marked unsent, in outbox order, and says how many", async () => {
      const outbox = await fresh();
      await outbox.add(testValueSchema, [...testMessages('feed', 2), ...testMessages('feed', 1, { period: '2009-04', from: 2 }), testMessage('other', 3)]);
      await outbox.markSent([1, 2, 3, 4]);
      expect(await outbox.resend('feed', '2009-03')).toBe(2);
      expect((await outbox.pending(10)).map((message) => message.position)).toEqual([1, 2]);
      expect(await outbox.resend('feed', '2009-05')).toBe(0);
    });

    it('remembers how far each month was worked out', async () => {
      const outbox = await fresh();
      expect(await outbox.checkedPosition('2009-03')).toBeUndefined();
      await outbox.setCheckedPosition('2009-03', 42n);
      await outbox.setCheckedPosition('2009-04', 9_007_199_254_740_993n);
      expect(await outbox.checkedPosition('2009-03')).toBe(42n);
      await outbox.setCheckedPosition('2009-03', 57n);
      expect(await outbox.checkedPosition('2009-03')).toBe(57n);
      expect(await outbox.checkedPosition('2009-04')).toBe(9_007_199_254_740_993n);
    });
  });
}
