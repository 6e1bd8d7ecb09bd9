import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import kafkajs from 'kafkajs';
import { inject } from 'vitest';
// What the global setup provides to inject(), for this package's own type check.
import type {} from '../../../../tests/support/kafka.global-setup.js';

export interface Received {
  key: string;
  revision: string;
  value: string;
  partition: number;
}

export const kafkaClient = (brokers: string) => new kafkajs.Kafka({ clientId: 'feed-test', brokers: [brokers], logLevel: kafkajs.logLevel.NOTHING });

/** A topic of this test run's own. */
export const testTopic = (name: string) => `test-${name}-${randomUUID().slice(0, 8)}`;

/** Everything in the topic now, read by a kafkajs consumer of a new group from the beginning to the end of each partition. */
export async function readTopic(brokers: string, topic: string): Promise<Received[]> {
  const kafka = kafkaClient(brokers);
  const admin = kafka.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const ends = new Map(offsets.filter((partition) => Number(partition.high) > Number(partition.low)).map((partition) => [partition.partition, Number(partition.high)]));
  const received: Received[] = [];
  if (ends.size === 0) return received;
  const consumer = kafka.consumer({ groupId: `feed-test-${randomUUID()}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          eachMessage: async ({ partition, message }) => {
            received.push({ key: String(message.key), revision: String(message.headers?.revision), value: String(message.value), partition });
            if (Number(message.offset) + 1 >= (ends.get(partition) ?? 0)) ends.delete(partition);
            if (ends.size === 0) resolve();
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return received;
}

/** The topic as `kcat -C -e -f '%k %h %s\n'` prints it. Fails (never skips) when kcat could not be installed. */
export function readTopicWithKcat(brokers: string, topic: string): string {
  const kcat = inject('kcat');
  if ('missing' in kcat) throw new Error(kcat.missing);
  const result = spawnSync(kcat.command, ['-C', '-b', brokers, '-t', topic, '-e', '-q', '-f', '%k %h %s\n'], { encoding: 'utf8', timeout: 60_000, maxBuffer: 256 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`kcat failed (${result.error?.message ?? `exit ${result.status}`}): ${result.stderr}`);
  return result.stdout;
}

export async function deleteTopic(brokers: string, topic: string) {
  const admin = kafkaClient(brokers).admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [topic] }).finally(() => admin.disconnect());
}

/** A TCP port nothing listens on now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

export async function until(condition: () => boolean, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
