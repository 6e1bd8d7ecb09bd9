import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ReadModels } from './projection.js';
import { ReadModelsNotUsable } from './schema.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'beacon-read-models-schema-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A file as the feed outbox (packages/feed-publisher) leaves it when the reporter opens it first: its tables, a message in them. */
function withOutbox(file: string, more = ''): void {
  const db = new Database(file);
  db.exec(`CREATE TABLE feed_outbox (position INTEGER PRIMARY KEY AUTOINCREMENT, value TEXT NOT NULL) STRICT;
           CREATE TABLE feed_months (month TEXT PRIMARY KEY, checked_position INTEGER NOT NULL) STRICT;
           INSERT INTO feed_outbox (value) VALUES ('{"n":1}');
           ${more}`);
  db.close();
}

describe('the read-model file', () => {
  it('is new while it holds only the feed outbox, which stays as it was', () => {
    const file = join(dir, 'read-models.sqlite');
    withOutbox(file);
    const readModels = new ReadModels(file);
    try {
      expect(readModels.checkpoint()).toBe(0n);
      expect(readModels.db.prepare('SELECT * FROM feed_outbox').all()).toEqual([{ position: 1, value: '{"n":1}' }]);
    } finally {
      readModels.close();
    }
  });

  it('is refused, untouched, when it holds anything else beside the outbox', () => {
    const file = join(dir, 'notes.sqlite');
    withOutbox(file, 'CREATE TABLE notes (text TEXT);');
    expect(() => new ReadModels(file)).toThrow(ReadModelsNotUsable);
    const db = new Database(file, { readonly: true });
    expect(db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").pluck().all()).toEqual(['feed_months', 'feed_outbox', 'notes', 'sqlite_sequence']);
    db.close();
  });
});
