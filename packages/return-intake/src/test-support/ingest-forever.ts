/**
 * Child process for ingest-crash.test.ts: ingests the returns named after the store file, one
 * after another, through ingestReturn into that SQLite store, then waits to be killed. It says
 * where it is on stdout, one line at a time (writes to a pipe are synchronous on Linux, so a
 * line is with the parent before the child goes on, even inside the append's transaction):
 *
 *   ingesting <file> <rows>          before each return
 *   read <file> <rows>               as its rows are read (once per 64 KiB slice)
 *   appending <file>                 when ingestReturn calls the store's append
 *   appended-events <file> <count>   every 1,000 events the append's transaction has taken
 *   outcome <file> <status> <returnId> <readings>   when ingestReturn has answered
 *   waiting                          when every return is done
 */
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { loadCatalogue } from '@beacon/catalogue';
import type { EventStore, EventToAppend } from '@beacon/event-store';
import { openSqliteEventStore } from '@beacon/event-store-sqlite';
import { ingestReturn } from '../ingest-return.js';
import { readingsOnRecord } from '../readings-on-record.js';

const [storeFile, ...returnFiles] = process.argv.slice(2);
if (!storeFile || returnFiles.length === 0) throw new Error('usage: ingest-forever.ts <store file> <return.csv>...');

const say = (line: string) => process.stdout.write(`${line}\n`);
const catalogue = loadCatalogue();
const sqlite = await openSqliteEventStore({ file: storeFile });
let current = '';

/** The store as ingestReturn sees it, saying when the append starts and how far its transaction has got. */
const store: EventStore = {
  append(stream, events, options) {
    say(`appending ${current}`);
    function* announced(): Generator<EventToAppend> {
      let count = 0;
      for (const event of events) {
        yield event;
        if (++count % 1_000 === 0) say(`appended-events ${current} ${count}`);
      }
    }
    return sqlite.append(stream, announced(), options);
  },
  readStream: (...args) => sqlite.readStream(...args),
  streamRevision: (...args) => sqlite.streamRevision(...args),
  readAll: (...args) => sqlite.readAll(...args),
  subscribe: (...args) => sqlite.subscribe(...args),
  headPosition: () => sqlite.headPosition(),
  close: () => sqlite.close(),
};

for (const file of returnFiles) {
  current = basename(file);
  const rows = Number(/-(\d+)-rows\.csv$/.exec(current)?.[1] ?? Number.NaN);
  say(`ingesting ${current} ${rows}`);
  const outcome = await ingestReturn(
    {
      source: { stream: createReadStream(file) },
      fileName: current,
      agency: 'north-kent-police',
      submitter: { kind: 'person', id: 'nkp.analyst', agency: 'north-kent-police' },
      onProgress: (progress) => say(`read ${current} ${progress.rows}`),
    },
    { store, catalogue, readingsOnRecord: () => readingsOnRecord(sqlite) },
  );
  say(`outcome ${current} ${outcome.status} ${outcome.returnId} ${'readings' in outcome ? outcome.readings : 0}`);
}
say('waiting');
// Until killed, as a server would be.
setInterval(() => {}, 60_000);
