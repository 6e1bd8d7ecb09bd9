/**
 * Child process for publisher-crash.test.ts: drains the outbox of the SQLite file given to the
 * feed files in the folder given, 25 messages per delivery, saying "sent <pending>" every 5 ms
 * while it drains and "drained" when the outbox is empty; then waits to be killed.
 */
import Database from 'better-sqlite3';
import { createFileSink } from '../file-sink.js';
import { outboxBacklog } from '../outbox.js';
import { startPublisher } from '../publisher.js';

const [dbFile, feedDir] = process.argv.slice(2) as [string, string];
const db = new Database(dbFile);
const publisher = startPublisher({ db, sink: createFileSink(feedDir), batchSize: 25, pollIntervalMs: 10 });
const timer = setInterval(() => process.stdout.write(`sent ${outboxBacklog(db).pending}\n`), 5);
await publisher.drained();
clearInterval(timer);
process.stdout.write('drained\n');
setInterval(() => {}, 1_000);
