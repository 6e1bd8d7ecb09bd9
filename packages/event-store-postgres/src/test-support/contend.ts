/**
 * Child process for concurrency.test.ts: appends to one stream, against a writer in another
 * process, until `appends` of its appends have been stored. Each append expects the revision it
 * read a moment before; a StreamRevisionConflict (the other writer came first) is counted and the
 * append tried again. Prints one JSON line: its name, conflicts, and the revisions it was given.
 */
import { StreamRevisionConflict } from '@beacon/event-store';
import { openPostgresEventStore } from '../postgres-event-store.js';
import { sleep } from './sleep.js';

const [connectionString, schema, stream, appendsArg, writer] = process.argv.slice(2);
if (!connectionString || !schema || !stream || !appendsArg || !writer) {
  throw new Error('usage: contend.ts <connection string> <schema> <stream> <appends> <writer name>');
}
const appends = Number(appendsArg);
const store = await openPostgresEventStore({ connectionString, schema });
let conflicts = 0;
const revisions: string[] = [];
for (let sequence = 0; sequence < appends; ) {
  const current = await store.streamRevision(stream);
  // Time between reading and appending, as a writer checking a return would take.
  await sleep(Math.random() * 2);
  const events = [0, 1].map((half) => ({ id: crypto.randomUUID(), type: 'Contended', data: { writer, sequence, half } }));
  try {
    const { nextExpectedRevision } = await store.append(stream, events, { expectedRevision: current ?? 'no_stream' });
    revisions.push(String(nextExpectedRevision));
    sequence++;
  } catch (error) {
    if (!(error instanceof StreamRevisionConflict)) throw error;
    conflicts++;
  }
}
await store.close();
process.stdout.write(`${JSON.stringify({ writer, conflicts, revisions })}\n`);
