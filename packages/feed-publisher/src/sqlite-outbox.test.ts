import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { describeOutboxContract } from './contract/outbox.contract.js';
import { openOutbox } from './open-outbox.js';
import { SqliteOutbox } from './sqlite-outbox.js';
import { testMessages, testValueSchema } from './test-support/messages.js';

describeOutboxContract('SQLite', async () => new SqliteOutbox(new Database(':memory:'), { closes: true }));

describe('the outbox in SQLite', () => {
  it("is written in the caller's transaction: rolled back with it", () => {
    const db = new Database(':memory:');
    const outbox = new SqliteOutbox(db);
    db.exec('CREATE TABLE report (id INTEGER PRIMARY KEY)');
    const publishReport = db.transaction(() => {
      db.prepare('INSERT INTO report DEFAULT VALUES').run();
      outbox.add(testValueSchema, testMessages('feed', 2));
      throw new Error('the report failed after writing its messages');
    });
    expect(publishReport).toThrow('the report failed');
    expect(outbox.backlog().pending).toBe(0);
    expect(db.prepare('SELECT count(*) AS n FROM report').get()).toEqual({ n: 0 });
    // It was handed the connection, so it leaves it open.
    outbox.close();
    expect(db.open).toBe(true);
  });

  it('opened from the file, shares it with another connection: each sees what the other wrote', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'beacon-outbox-'));
    try {
      const file = join(dir, 'read-models.sqlite');
      const writer = await openOutbox({ kind: 'sqlite', file });
      const reader = new SqliteOutbox(new Database(file), { closes: true });
      expect(writer.location).toBe(`SQLite file ${file}`);
      await writer.add(testValueSchema, testMessages('feed', 3));
      reader.markSent([1]);
      expect((await writer.pending(10)).map((message) => message.position)).toEqual([2, 3]);
      await writer.close();
      reader.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
