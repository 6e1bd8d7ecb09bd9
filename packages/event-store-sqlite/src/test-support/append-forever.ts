/**
 * Child process for crash.test.ts: appends large returns to the store given as argument until
 * killed. It announces each append on stdout before starting it ("appending <stream> <count>")
 * and after it is acknowledged ("appended <stream>"), so the test can kill it mid-append and
 * then check what survived. An optional second argument pads each event's data with that many
 * bytes: with large enough appends the store's checkpointing thread is at work when it is killed.
 */
import { randomUUID } from 'node:crypto';
import { openSqliteEventStore } from '../sqlite-event-store.js';

const file = process.argv[2];
if (!file) throw new Error('usage: append-forever.ts <store file> [padding bytes]');
const padding = 'p'.repeat(Number(process.argv[3] ?? 0));
const store = await openSqliteEventStore({ file });

for (let round = 0; ; round++) {
  const count = 5_000 + ((round * 7_919 + process.pid) % 15_001);
  const stream = `return-${randomUUID()}`;
  const events = Array.from({ length: count }, (_, row) => ({
    id: randomUUID(),
    type: 'ReadingRecorded',
    data: { count, row, measureId: 'asb-incidents-per-1000-population', area: 'E07000107', value: row / 7, padding },
  }));
  process.stdout.write(`appending ${stream} ${count}\n`);
  await store.append(stream, events, { expectedRevision: 'no_stream' });
  process.stdout.write(`appended ${stream}\n`);
}
