/**
 * Child process for publisher-crash.test.ts: drains the outbox of the SQLite file given to the
 * feed files in the folder given, 25 messages per delivery, saying "sent <pending>" every 5 ms
 * while it drains and "drained" when the outbox is empty; then waits to be killed.
 */
import { createFileSink } from '../file-sink.js';
import { startPublisher } from '../publisher.js';
import { SqliteOutbox } from '../sqlite-outbox.js';

const [dbFile, feedDir] = process.argv.slice(2) as [string, string];
const outbox = SqliteOutbox.open(dbFile);
const publisher = startPublisher({ outbox, sink: createFileSink(feedDir), batchSize: 25, pollIntervalMs: 10 });
const timer = setInterval(() => process.stdout.write(`sent ${outbox.backlog().pending}\n`), 5);
await publisher.drained();
clearInterval(timer);
process.stdout.write('drained\n');
setInterval(() => {}, 1_000);
