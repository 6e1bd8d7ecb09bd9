import { randomBytes } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@beacon/event-store-postgres/test-support';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeOutboxContract } from './contract/outbox.contract.js';
import { openOutbox } from './open-outbox.js';
import { PostgresOutbox } from './postgres-outbox.js';
import { testMessages, testValueSchema } from './test-support/messages.js';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database?.drop());

const freshSchema = () => `outbox_${randomBytes(6).toString('hex')}`;

// Each test gets an outbox of its own: a new schema in this file's database.
describeOutboxContract('PostgreSQL', () => PostgresOutbox.open({ url: database.url, schema: freshSchema() }));

describe('the outbox in PostgreSQL', () => {
  it('is created in the schema it is given, beside what is there, and opened again as it was left', async () => {
    const schema = freshSchema();
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      await client.query(`CREATE SCHEMA ${schema}; CREATE TABLE ${schema}.readings (position bigint PRIMARY KEY)`);
      const outbox = await openOutbox({ kind: 'postgres', url: database.url, schema });
      expect(outbox.location).toMatch(new RegExp(`^schema "${schema}" of postgres://`));
      await outbox.add(testValueSchema, testMessages('feed', 2));
      await outbox.setCheckedPosition('2009-03', 7n);
      await outbox.close();
      const tables = await client.query<{ table_name: string }>('SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name', [schema]);
      expect(tables.rows.map((row) => row.table_name)).toEqual(['feed_months', 'feed_outbox', 'readings']);

      const again = await PostgresOutbox.open({ url: database.url, schema });
      expect((await again.pending(10)).map((message) => message.key)).toEqual(['p0/2009-03', 'p1/2009-03']);
      expect(await again.checkedPosition('2009-03')).toBe(7n);
      await again.close();
    } finally {
      await client.end();
    }
  });

  it('gives positions in commit order to writers adding at the same time, so none is passed over', async () => {
    const schema = freshSchema();
    const outboxes = await Promise.all([1, 2, 3].map(() => PostgresOutbox.open({ url: database.url, schema })));
    try {
      const added = await Promise.all(outboxes.map((outbox, w) => outbox.add(testValueSchema, testMessages('feed', 50, { from: w * 50 }))));
      expect(added).toEqual([1, 2, 3].map(() => ({ added: 50, unchanged: 0 })));
      const reader = await PostgresOutbox.open({ url: database.url, schema });
      const pending = await reader.pending(1_000);
      await reader.close();
      expect(pending.map((message) => message.position)).toEqual(Array.from({ length: 150 }, (_, index) => index + 1));
      // Each writer's messages are together and in its order.
      const writers = pending.map((message) => Math.floor(Number(message.key.slice(1, message.key.indexOf('/'))) / 50));
      expect(writers.filter((writer, index) => writer !== writers[index - 1])).toHaveLength(3);
    } finally {
      for (const outbox of outboxes) await outbox.close();
    }
  });
});
