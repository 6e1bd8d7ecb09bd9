import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase } from '@beacon/event-store-postgres/test-support';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFileSink } from './file-sink.js';
import { PostgresOutbox } from './postgres-outbox.js';
import { startPublisher } from './publisher.js';
import { SqliteOutbox } from './sqlite-outbox.js';
import { testMessage, testMessages, testValueSchema } from './test-support/messages.js';

describe('the file sink', () => {
  let directory: string;
  let outbox: SqliteOutbox;
  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'feed-files-'));
    outbox = new SqliteOutbox(new Database(':memory:'), { closes: true });
  });
  afterEach(() => {
    outbox.close();
    rmSync(directory, { recursive: true, force: true });
  });

  const linesOf = (topic: string, period: string) => readFileSync(join(directory, topic, `${period}.jsonl`), 'utf8').split('\n').slice(0, -1);

  it('writes one JSON Lines file per topic and period, in outbox order', async () => {
    outbox.add(testValueSchema, [...testMessages('kent', 2), ...testMessages('kent', 1, { period: '2009-04', from: 5 }), ...testMessages('kent', 1, { from: 2 })]);
    const sink = createFileSink(directory);
    await sink.deliver(outbox.pending(10));
    expect(linesOf('kent', '2009-03')).toEqual([
      '{"key":"p0/2009-03","revision":1,"value":{"partnership":"p0","period":"2009-03","measures":[{"id":"NI16","value":0,"rag":"green"}]}}',
      '{"key":"p1/2009-03","revision":1,"value":{"partnership":"p1","period":"2009-03","measures":[{"id":"NI16","value":1,"rag":"green"}]}}',
      '{"key":"p2/2009-03","revision":1,"value":{"partnership":"p2","period":"2009-03","measures":[{"id":"NI16","value":2,"rag":"green"}]}}',
    ]);
    expect(linesOf('kent', '2009-04').map((line) => JSON.parse(line).key)).toEqual(['p5/2009-04']);
  });

  it('writes each key and revision once when messages are sent again after a crash', async () => {
    outbox.add(testValueSchema, testMessages('kent', 4));
    // The first run wrote the messages but was killed before the outbox marked them sent.
    await createFileSink(directory).deliver(outbox.pending(3));
    outbox.add(testValueSchema, [testMessage('kent', 0, { revision: 2 })]);

    const publisher = startPublisher({ outbox, sink: createFileSink(directory) });
    await publisher.drained();
    await publisher.stop();
    expect(linesOf('kent', '2009-03').map((line) => `${JSON.parse(line).key} ${JSON.parse(line).revision}`)).toEqual([
      'p0/2009-03 1',
      'p1/2009-03 1',
      'p2/2009-03 1',
      'p3/2009-03 1',
      'p0/2009-03 2',
    ]);
  });

  it('cuts off a line half-written by a crash and writes it whole', async () => {
    outbox.add(testValueSchema, testMessages('kent', 2));
    const sink = createFileSink(directory);
    await sink.deliver(outbox.pending(1));
    const whole = readFileSync(join(directory, 'kent', '2009-03.jsonl'), 'utf8');
    appendFileSync(join(directory, 'kent', '2009-03.jsonl'), '{"key":"p1/2009-03","revis');

    await createFileSink(directory).deliver(outbox.pending(2));
    expect(linesOf('kent', '2009-03')).toHaveLength(2);
    expect(readFileSync(join(directory, 'kent', '2009-03.jsonl'), 'utf8').startsWith(whole)).toBe(true);
    expect(JSON.parse(linesOf('kent', '2009-03')[1] ?? '').key).toBe('p1/2009-03');
  });

  it('refuses to append to a file that is not a feed file', async () => {
    outbox.add(testValueSchema, testMessages('kent', 1));
    const sink = createFileSink(directory);
    await sink.deliver(outbox.pending(1));
    writeFileSync(join(directory, 'kent', '2009-03.jsonl'), 'not json\n');
    await expect(createFileSink(directory).deliver(outbox.pending(1))).rejects.toThrow(/2009-03\.jsonl, line 1: not a feed line/);
  });

  it('writes the same files from an outbox in PostgreSQL, and leaves it empty', async () => {
    const database = await createTestDatabase();
    const inPostgres = await PostgresOutbox.open({ url: database.url, schema: 'beacon_records' });
    try {
      const messages = [...testMessages('kent', 300), ...testMessages('kent', 20, { period: '2009-04' }), ...testMessages('kent', 5, { revision: 2 })];
      await inPostgres.add(testValueSchema, messages);
      outbox.add(testValueSchema, messages);
      const publisher = startPublisher({ outbox: inPostgres, sink: createFileSink(directory), batchSize: 64 });
      await publisher.drained();
      expect(publisher.health()).toMatchObject({ status: 'ok', pending: 0 });
      await publisher.stop();
      expect(await inPostgres.backlog()).toEqual({ pending: 0, oldestWrittenAt: undefined });

      const expected = outbox.pending(1_000).map((m) => `{"key":${JSON.stringify(m.key)},"revision":${m.revision},"value":${m.value}}`);
      expect([...linesOf('kent', '2009-03'), ...linesOf('kent', '2009-04')]).toEqual([
        ...expected.filter((line) => line.includes('/2009-03"')),
        ...expected.filter((line) => line.includes('/2009-04"')),
      ]);
      expect(linesOf('kent', '2009-03')).toHaveLength(305);
    } finally {
      await inPostgres.close();
      await database.drop();
    }
  });
});
