/**
 * Child process for projector-crash.test.ts: follows the store into the read models in batches,
 * saying "projected <position>" after each batch is committed, and "caught-up <position>" when
 * it reaches the head. It runs until killed.
 */
import { openSqliteEventStore } from '@beacon/event-store-sqlite';
import { ReadModels } from '@beacon/read-models';
import { follow } from '../projector.js';

const [storeFile, readModelsFile] = process.argv.slice(2);
if (!storeFile || !readModelsFile) throw new Error('usage: project-forever.ts <store file> <read-models file>');
const store = await openSqliteEventStore({ file: storeFile, pollIntervalMs: 20 });
const readModels = new ReadModels(readModelsFile);
const head = await store.headPosition();
process.stdout.write(`starting ${readModels.checkpoint()}\n`);
await follow(store, readModels, {
  batchSize: 5_000,
  onBatch: (position) => process.stdout.write(`${position >= head ? 'caught-up' : 'projected'} ${position}\n`),
});
