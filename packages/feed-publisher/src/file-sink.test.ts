import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFileSink } from './file-sink.js';
import { addToOutbox, pendingMessages } from './outbox.js';
import { startPublisher } from './publisher.js';
import { testMessage, testMessages, testValueSchema } from './test-support/messages.js';

describe('the file sink', () => {
  let directory: string;
  let db: Database.Database;
  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'feed-files-'));
    db = new Database(':memory:');
  });
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  const linesOf = (topic: string, period: string) => readFileSync(join(directory, topic, `${period}.jsonl`), 'utf8').split('\n').slice(0, -1);

  it('writes one JSON Lines file per topic and period, in outbox order', async () => {
    addToOutbox(db, testValueSchema, [...testMessages('kent', 2), ...testMessages('kent', 1, { period: '2009-04', from: 5 }), ...testMessages('kent', 1, { from: 2 })]);
    const sink = createFileSink(directory);
    await sink.deliver(pendingMessages(db, 10));
    expect(linesOf('kent', '2009-03')).toEqual([
      '{"key":"p0/2009-03","revision":1,"value":{"partnership":"p0","period":"2009-03","measures":[{"id":"NI16","value":0,"rag":"green"}]}}',
      '{"key":"p1/2009-03","revision":1,"value":{"partnership":"p1","period":"2009-03","measures":[{"id":"NI16","value":1,"rag":"green"}]}}',
      '{"key":"p2/2009-03","revision":1,"value":{"partnership":"p2","period":"2009-03","measures":[{"id":"NI16","value":2,"rag":"green"}]}}',
    ]);
    expect(linesOf('kent', '2009-04').map((line) => JSON.parse(line).key)).toEqual(['p5/2009-04']);
  });

  it('writes each key and revision once when messages are sent again after a crash', async () => {
    addToOutbox(db, testValueSchema, testMessages('kent', 4));
    // The first run wrote the messages but was killed before the outbox marked them sent.
    await createFileSink(directory).deliver(pendingMessages(db, 3));
    addToOutbox(db, testValueSchema, [testMessage('kent', 0, { revision: 2 })]);

    const publisher = startPublisher({ db, sink: createFileSink(directory) });
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
    addToOutbox(db, testValueSchema, testMessages('kent', 2));
    const sink = createFileSink(directory);
    await sink.deliver(pendingMessages(db, 1));
    const whole = readFileSync(join(directory, 'kent', '2009-03.jsonl'), 'utf8');
    appendFileSync(join(directory, 'kent', '2009-03.jsonl'), '{"key":"p1/2009-03","revis');

    await createFileSink(directory).deliver(pendingMessages(db, 2));
    expect(linesOf('kent', '2009-03')).toHaveLength(2);
    expect(readFileSync(join(directory, 'kent', '2009-03.jsonl'), 'utf8').startsWith(whole)).toBe(true);
    expect(JSON.parse(linesOf('kent', '2009-03')[1] ?? '').key).toBe('p1/2009-03');
  });

  it('refuses to append to a file that is not a feed file', async () => {
    addToOutbox(db, testValueSchema, testMessages('kent', 1));
    const sink = createFileSink(directory);
    await sink.deliver(pendingMessages(db, 1));
    writeFileSync(join(directory, 'kent', '2009-03.jsonl'), 'not json\n');
    await expect(createFileSink(directory).deliver(pendingMessages(db, 1))).rejects.toThrow(/2009-03\.jsonl, line 1: not a feed line/);
  });
});
