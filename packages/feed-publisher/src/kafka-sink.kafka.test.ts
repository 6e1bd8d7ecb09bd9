// Against the real broker that the kafka tests' global setup provides (tests/support/kafka.global-setup.ts).
import Database from 'better-sqlite3';
import kafkajs from 'kafkajs';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { createKafkaSink } from './kafka-sink.js';
import { FeedMessageInvalid } from './outbox.js';
import { startPublisher } from './publisher.js';
import { SqliteOutbox } from './sqlite-outbox.js';
import { deleteTopic, kafkaClient, readTopic, readTopicWithKcat, testTopic, until } from './test-support/kafka.js';
import { testMessage, testMessages, testValueSchema } from './test-support/messages.js';

const brokers = inject('kafkaBrokers');

describe('the Kafka sink', () => {
  const topics: string[] = [];
  const topic = (name: string) => {
    const created = testTopic(name);
    topics.push(created);
    return created;
  };
  afterEach(async () => {
    for (const created of topics.splice(0)) await deleteTopic(brokers, created).catch(() => {});
  });

  it('publishes the outbox to a compacted topic it creates; a kafkajs consumer and kcat see exactly the messages, in order', async () => {
    const feed = topic('feed');
    const outbox = new SqliteOutbox(new Database(':memory:'));
    outbox.add(testValueSchema, testMessages(feed, 20));
    outbox.add(testValueSchema, [testMessage(feed, 3, { revision: 2 })]);
    const expected = outbox.pending(100).map((message) => ({ key: message.key, revision: String(message.revision), value: message.value }));

    const publisher = startPublisher({ outbox, sink: createKafkaSink({ brokers: [brokers], topics: [feed] }), batchSize: 7 });
    await publisher.drained();
    expect(publisher.health()).toMatchObject({ status: 'ok', pending: 0 });
    await publisher.stop();

    const received = await readTopic(brokers, feed);
    expect(received.map(({ key, revision, value }) => ({ key, revision, value }))).toEqual(expected);
    expect(readTopicWithKcat(brokers, feed)).toBe(expected.map((message) => `${message.key} revision=${message.revision} ${message.value}\n`).join(''));

    const admin = kafkaClient(brokers).admin();
    await admin.connect();
    const configs = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: kafkajs.ConfigResourceTypes.TOPIC, name: feed, configNames: ['cleanup.policy'] }] });
    await admin.disconnect();
    expect(configs.resources[0]?.configEntries[0]?.configValue).toBe('compact');
  });

  it('never publishes a message that fails its schema: the error names the field', async () => {
    const feed = topic('schema');
    const outbox = new SqliteOutbox(new Database(':memory:'));
    outbox.add(testValueSchema, testMessages(feed, 2));
    const broken = testMessage(feed, 2);
    (broken.value as { partnership: unknown }).partnership = 42;
    expect(() => outbox.add(testValueSchema, [broken])).toThrow(FeedMessageInvalid);
    expect(() => outbox.add(testValueSchema, [broken])).toThrow(/value\.partnership: Invalid input: expected string, received number/);

    const publisher = startPublisher({ outbox, sink: createKafkaSink({ brokers: [brokers], topics: [feed] }) });
    await publisher.drained();
    await publisher.stop();
    expect(readTopicWithKcat(brokers, feed)).toBe(
      ['p0/2009-03', 'p1/2009-03'].map((key, index) => `${key} revision=1 {"partnership":"p${index}","period":"2009-03","measures":[{"id":"NI16","value":${index},"rag":"green"}]}\n`).join(''),
    );
  });

  it('holds the feed back, saying why, when its topic exists without compaction', async () => {
    const feed = topic('not-compacted');
    const admin = kafkaClient(brokers).admin();
    await admin.connect();
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic: feed, configEntries: [{ name: 'cleanup.policy', value: 'delete' }] }] });
    await admin.disconnect();
    const outbox = new SqliteOutbox(new Database(':memory:'));
    outbox.add(testValueSchema, testMessages(feed, 1));

    const publisher = startPublisher({ outbox, sink: createKafkaSink({ brokers: [brokers], topics: [feed] }) });
    await until(() => publisher.health().status === 'feed delayed', 30_000, 'the feed to be delayed');
    expect(publisher.health()).toMatchObject({ status: 'feed delayed', lastError: expect.stringContaining(`topic ${feed} has cleanup.policy=delete`) });
    await publisher.stop();
    expect(outbox.backlog().pending).toBe(1);
  });
});
