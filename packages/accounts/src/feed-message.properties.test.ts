/**
 * Properties of the Kent Partnership feed's message schema (fast-check), as a consumer relies on
 * them: every message that fits the published JSON Schema parses, and a message with any one field
 * of the wrong type, or missing, is refused with that field's path. Values are generated from the
 * JSON Schema that consumers are given (z.toJSONSchema of FeedMessageValue), so the two cannot
 * drift apart unnoticed. It sits here, not in packages/feed, which another team owns.
 */
import { FeedMessageValue } from '@beacon/feed';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

interface JsonSchema {
  /** One type, or several (a nullable number is ["number", "null"]). */
  type?: string | string[];
  const?: unknown;
  enum?: unknown[];
  anyOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  format?: string;
  pattern?: string;
  minLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
}

const feedSchema = z.toJSONSchema(FeedMessageValue, { target: 'draft-2020-12' }) as JsonSchema;

const day = fc.date({ min: new Date('1990-01-01T00:00:00Z'), max: new Date('2100-12-31T00:00:00Z'), noInvalidDate: true });

/** An arbitrary value that the JSON Schema allows. */
function valid(schema: JsonSchema): fc.Arbitrary<unknown> {
  if ('const' in schema) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  if (schema.anyOf) return fc.oneof(...schema.anyOf.map(valid));
  if (Array.isArray(schema.type)) return fc.oneof(...schema.type.map((type) => valid({ ...schema, type })));
  switch (schema.type) {
    case 'object': {
      const properties = Object.fromEntries(Object.entries(schema.properties ?? {}).map(([key, property]) => [key, valid(property)]));
      return fc.record(properties, { requiredKeys: schema.required ?? [] });
    }
    case 'array':
      return fc.array(valid(schema.items ?? {}), { maxLength: 3 });
    case 'string':
      if (schema.format === 'date') return day.map((d) => d.toISOString().slice(0, 10));
      if (schema.format === 'date-time') return day.map((d) => d.toISOString());
      if (schema.pattern) return fc.stringMatching(new RegExp(schema.pattern));
      return fc.string({ minLength: schema.minLength ?? 0, maxLength: 24 });
    case 'integer':
      return fc.integer({ min: schema.minimum ?? (schema.exclusiveMinimum ?? -1_000_001) + 1, max: schema.maximum ?? 1_000_000 });
    case 'number':
      return fc.double({ min: schema.minimum ?? -1e9, max: schema.maximum ?? 1e9, noNaN: true, noDefaultInfinity: true });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
  }
  throw new Error(`the feed's JSON Schema has ${JSON.stringify(schema)}, which this test cannot generate yet: teach it`);
}

const jsonType = (value: unknown) => (value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value === 'number' ? 'number' : typeof value);

/** The JSON types a schema allows (an integer is a number). */
function typesAllowed(schema: JsonSchema): Set<string> {
  if ('const' in schema) return new Set([jsonType(schema.const)]);
  if (schema.enum) return new Set(schema.enum.map(jsonType));
  if (schema.anyOf) return new Set(schema.anyOf.flatMap((member) => [...typesAllowed(member)]));
  return new Set([schema.type ?? []].flat().map((type) => (type === 'integer' ? 'number' : type)));
}

/** The schema of the value at `path` (the whole union there), through the branches of unions the value took on the way. */
function schemaAt(schema: JsonSchema, value: unknown, path: readonly (string | number)[]): JsonSchema {
  const [step, ...rest] = path;
  if (step === undefined) return schema;
  if (schema.anyOf) return schemaAt(schema.anyOf.find((member) => typesAllowed(member).has(jsonType(value))) ?? {}, value, path);
  const child = (value as Record<string | number, unknown>)[step];
  return schemaAt(typeof step === 'number' ? (schema.items ?? {}) : (schema.properties?.[step] ?? {}), child, rest);
}

/** Every path to a field or an item below the root. */
function pathsIn(value: unknown, at: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== 'object') return [];
  const entries: [string | number, unknown][] = Array.isArray(value) ? value.map((item, i) => [i, item]) : Object.entries(value);
  return entries.flatMap(([key, child]) => [[...at, key], ...pathsIn(child, [...at, key])]);
}

/** A JSON value of a type the schema does not allow at all. */
const foreignTo = (schema: JsonSchema) => [{ unexpected: true }, ['unexpected'], 'unexpected', 12.5, true, null].find((candidate) => !typesAllowed(schema).has(jsonType(candidate)));

function mutated(message: unknown, path: readonly (string | number)[], how: 'wrong type' | 'missing'): unknown {
  const copy = structuredClone(message) as Record<string | number, unknown>;
  let parent = copy;
  for (const step of path.slice(0, -1)) parent = parent[step] as Record<string | number, unknown>;
  const last = path.at(-1) as string | number;
  if (how === 'missing') delete parent[last];
  else parent[last] = foreignTo(schemaAt(feedSchema, message, path));
  return copy;
}

const messages = valid(feedSchema);

describe('the feed message schema (FeedMessageValue)', () => {
  it('takes every message that fits its published JSON Schema', () => {
    fc.assert(
      fc.property(messages, (message) => {
        const parsed = FeedMessageValue.safeParse(message);
        expect(parsed.error?.issues).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });

  it('refuses a message with one field of the wrong type or missing, naming that field', () => {
    const cases = messages
      .filter((message) => pathsIn(message).length > 0)
      .chain((message) => {
        const paths = pathsIn(message);
        // An array item can be of the wrong type but not "missing" (the array would just be shorter).
        return fc.record({ message: fc.constant(message), path: fc.constantFrom(...paths), how: fc.constantFrom('wrong type' as const, 'missing' as const) });
      })
      .filter(({ path, how }) => how === 'wrong type' || typeof path.at(-1) === 'string');
    fc.assert(
      fc.property(cases, ({ message, path, how }) => {
        const parsed = FeedMessageValue.safeParse(mutated(message, path, how));
        expect(parsed.success).toBe(false);
        expect(parsed.error?.issues.map((issue) => issue.path)).toContainEqual(path);
      }),
      { numRuns: 500 },
    );
  });
});
