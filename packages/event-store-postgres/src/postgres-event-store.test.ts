import { randomBytes } from 'node:crypto';
import { describeEventStoreContract } from '@beacon/event-store/contract';
import { afterAll, beforeAll } from 'vitest';
import { openPostgresEventStore } from './postgres-event-store.js';
import { createTestDatabase, type TestDatabase } from './test-support/test-database.js';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database?.drop());

// Each test gets a store of its own: a new schema in this file's database.
describeEventStoreContract('PostgreSQL', async () => {
  const schema = `contract_${randomBytes(6).toString('hex')}`;
  const open = () => openPostgresEventStore({ connectionString: database.url, schema });
  return { store: await open(), openAnother: open };
});
