import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { FeedMessageValue } from './message.js';

export const jsonSchemaFile = fileURLToPath(new URL('../schema/feed-message.v1.json', import.meta.url));

/** The JSON Schema of a feed message's value, as committed for consumers. */
export function feedJsonSchemaText(): string {
  const schema = z.toJSONSchema(FeedMessageValue, { target: 'draft-2020-12' });
  return `${JSON.stringify({ $id: 'https://beacon.example/schema/feed-message.v1.json', title: 'Beacon monthly performance feed message, version 1', ...schema }, null, 2)}\n`;
}
