import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { feedJsonSchemaText, jsonSchemaFile } from './json-schema.js';
import { FeedMessageValue } from './message.js';

describe('the feed message schema for consumers', () => {
  it('is committed as JSON Schema exactly as the zod schema gives it (run `npm run json-schema -w @beacon/feed` after a change)', () => {
    expect(readFileSync(jsonSchemaFile, 'utf8')).toBe(feedJsonSchemaText());
  });

  it('accepts the documented example, a revision from the sample data', () => {
    const example = JSON.parse(readFileSync(new URL('../schema/example-message.json', import.meta.url), 'utf8'));
    expect(FeedMessageValue.parse(example.value)).toEqual(example.value);
    expect(example.value.revision).toBe(2);
    expect(example.value.changes.length).toBeGreaterThan(0);
  });

  it('names the field a bad message gets wrong', () => {
    const example = JSON.parse(readFileSync(new URL('../schema/example-message.json', import.meta.url), 'utf8'));
    const result = FeedMessageValue.safeParse({ ...example.value, measures: [{ ...example.value.measures[0], rag: 'purple' }] });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['measures', 0, 'rag']);
  });
});
