// The thread behind checkpointer.ts: its own connection to the store, which copies the WAL back
// into the database file whenever the store says enough was appended. Plain JavaScript, so that
// it loads without a TypeScript loader (vitest's does not reach worker threads).
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const db = new Database(workerData.file);
// Sets how this connection's checkpoints sync: the WAL before copying, the database after.
db.pragma(`synchronous = ${workerData.synchronous}`);
let scheduled = false;

parentPort.on('message', (message) => {
  if (message === 'close') {
    db.close();
    parentPort.close();
    return;
  }
  // Requests that arrived during a checkpoint lead to one more, not one each.
  if (scheduled) return;
  scheduled = true;
  setImmediate(() => {
    scheduled = false;
    try {
      // PASSIVE never waits for or blocks the store's readers and writers.
      db.pragma('wal_checkpoint(PASSIVE)');
    } catch {
      // Say, the file is locked for recovery: the next request, or the appender, checkpoints.
    }
  });
});
