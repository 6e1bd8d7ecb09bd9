import { z } from 'zod';
import type { FeedMessage } from '../outbox.js';

/** A stand-in for the feed's message schema (designed with the reporter): enough to have nested fields to get wrong. */
export const testValueSchema = z.object({
  partnership: z.string().min(1),
  period: z.string(),
  measures: z.array(z.object({ id: z.string(), value: z.number(), rag: z.enum(['red', 'amber', 'green']) })),
});
export type TestValue = z.input<typeof testValueSchema>;

/** The message about partnership p<n>'s measure in one period. */
export function testMessage(topic: string, n: number, { period = '2009-03', revision = 1 } = {}): FeedMessage<TestValue> {
  const partnership = `p${n}`;
  return { topic, key: `${partnership}/${period}`, revision, period, value: { partnership, period, measures: [{ id: 'NI16', value: n, rag: 'green' }] } };
}

/** `count` messages, for partnerships p<from>, p<from + 1>, …, revision 1 unless given. */
export function testMessages(topic: string, count: number, { period = '2009-03', revision = 1, from = 0 } = {}): FeedMessage<TestValue>[] {
  return Array.from({ length: count }, (_, index) => testMessage(topic, from + index, { period, revision }));
}
