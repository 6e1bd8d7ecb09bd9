import kafkajs, { type logLevel as LogLevel, type Producer } from 'kafkajs';
import type { OutboxMessage } from './outbox.js';
import type { FeedSink } from './sink.js';

export interface FeedTopic {
  name: string;
  /** Default 1: one partition keeps the whole feed in outbox order. Messages about one key keep their order with any number. */
  partitions?: number;
}

export interface KafkaSinkOptions {
  /** host:port of one or more brokers. */
  brokers: string[];
  /** Every topic the feed writes to. They are created up front (brokers should not create topics on first use), compacted. */
  topics: (string | FeedTopic)[];
  clientId?: string;
  /** How long a connection attempt may take before the delivery fails and the publisher backs off. Default 3 s. */
  connectionTimeoutMs?: number;
  /** kafkajs's own log, which repeats every connection error while the broker is down; off by default (the health state says it). */
  kafkaLogLevel?: LogLevel;
}

// kafkajs is CommonJS: Node's ESM loader finds only some of its exports by name.
const { ConfigResourceTypes, Kafka, logLevel, Partitioners } = kafkajs;

/**
 * Keeps each request under the broker's default 1 MiB limit on a batch (message.max.bytes):
 * kafkajs sends one batch per partition per request.
 */
const maxRequestBytes = 512 * 1024;

/** The record headers: a consumer dedupes on the message key and this revision. */
export const revisionHeader = 'revision';

/**
 * Delivers to Kafka with kafkajs's idempotent producer (acks from all in-sync replicas, one request
 * in flight, so a retried request is neither duplicated nor reordered by the broker). After any
 * failure the producer is replaced by a new one on the next delivery, which may send again
 * messages that had arrived: delivery is at least once, and the (key, revision) of each message
 * lets a consumer drop a repeat.
 */
export function createKafkaSink(options: KafkaSinkOptions): FeedSink {
  const topics = options.topics.map((topic) => (typeof topic === 'string' ? { name: topic } : topic));
  const known = new Set(topics.map((topic) => topic.name));
  const retry = { retries: 3, initialRetryTime: 200, maxRetryTime: 2_000 };
  const kafka = new Kafka({
    clientId: options.clientId ?? 'beacon-feed',
    brokers: options.brokers,
    connectionTimeout: options.connectionTimeoutMs ?? 3_000,
    retry,
    logLevel: options.kafkaLogLevel ?? logLevel.NOTHING,
  });
  let topicsReady = false;
  let producer: Producer | undefined;

  async function prepareTopics() {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const existing = new Set(await admin.listTopics());
      const missing = topics.filter((topic) => !existing.has(topic.name));
      if (missing.length > 0) {
        await admin.createTopics({
          waitForLeaders: true,
          topics: missing.map((topic) => ({
            topic: topic.name,
            numPartitions: topic.partitions ?? 1,
            // The latest revision of each key stays for good; older ones may be cleaned away.
            configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
          })),
        });
      }
      const described = await admin.describeConfigs({
        includeSynonyms: false,
        resources: topics.map((topic) => ({ type: ConfigResourceTypes.TOPIC, name: topic.name, configNames: ['cleanup.policy'] })),
      });
      for (const resource of described.resources) {
        const policy = resource.configEntries.find((entry) => entry.configName === 'cleanup.policy')?.configValue ?? '';
        if (!policy.split(',').includes('compact')) {
          throw new Error(`topic ${resource.resourceName} has cleanup.policy=${policy}: the feed needs compact, or older messages would be deleted with the newest revision of their key`);
        }
      }
    } finally {
      await admin.disconnect();
    }
  }

  async function connectedProducer(): Promise<Producer> {
    if (!topicsReady) {
      await prepareTopics();
      topicsReady = true;
    }
    if (!producer) {
      const fresh = kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        // The Java client's partitioner, so every client puts a key in the same partition.
        createPartitioner: Partitioners.DefaultPartitioner,
        // Bounded, unlike kafkajs's default for an idempotent producer (forever): a delivery fails
        // while the broker is down and the publisher reports the feed delayed.
        retry,
      });
      await fresh.connect();
      producer = fresh;
    }
    return producer;
  }

  return {
    description: `Kafka at ${options.brokers.join(',')}`,
    async deliver(messages) {
      const stranger = messages.find((message) => !known.has(message.topic));
      if (stranger) throw new Error(`topic ${stranger.topic} is not one of the feed's topics (${[...known].join(', ')})`);
      try {
        const sender = await connectedProducer();
        for (const chunk of requests(messages)) {
          await sender.sendBatch({ acks: -1, topicMessages: chunk });
        }
      } catch (error) {
        const failed = producer;
        producer = undefined;
        await failed?.disconnect().catch(() => {});
        throw error;
      }
    },
    async close() {
      await producer?.disconnect();
      producer = undefined;
    },
  };
}

/** The messages as requests of at most maxRequestBytes, in order, each grouped by topic. */
function* requests(messages: readonly OutboxMessage[]) {
  let byTopic = new Map<string, { key: string; value: string; headers: Record<string, string> }[]>();
  let bytes = 0;
  for (const message of messages) {
    const size = Buffer.byteLength(message.key) + Buffer.byteLength(message.value) + 32;
    if (bytes > 0 && bytes + size > maxRequestBytes) {
      yield [...byTopic].map(([topic, list]) => ({ topic, messages: list }));
      byTopic = new Map();
      bytes = 0;
    }
    const list = byTopic.get(message.topic) ?? [];
    list.push({ key: message.key, value: message.value, headers: { [revisionHeader]: String(message.revision) } });
    byTopic.set(message.topic, list);
    bytes += size;
  }
  if (bytes > 0) yield [...byTopic].map(([topic, list]) => ({ topic, messages: list }));
}
