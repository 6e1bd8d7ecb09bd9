/**
 * The publisher's own process killed with SIGKILL in the middle of publishing, again and again:
 * each time it starts again from the outbox, and in the end every message is in the feed files
 * exactly once per (key, revision), in outbox order, and the outbox is empty.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteOutbox } from './sqlite-outbox.js';
import { testMessages, testValueSchema } from './test-support/messages.js';

const childScript = fileURLToPath(new URL('./test-support/drain-forever.ts', import.meta.url));
const packageDir = fileURLToPath(new URL('..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'beacon-publisher-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the publisher until it has said `killAfter` times how far it is (or that it drained), then kills it; resolves with whether it had drained. */
function runPublisher(dbFile: string, feedDir: string, killAfter: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', childScript, dbFile, feedDir], { cwd: packageDir, stdio: ['ignore', 'pipe', 'pipe'] });
    let reports = 0;
    let drained = false;
    let errors = '';
    child.stderr.on('data', (chunk: Buffer) => {
      errors += chunk;
    });
    child.stdout.on('data', (chunk: Buffer) => {
      for (const line of String(chunk).split('\n')) {
        if (line === 'drained') drained = true;
        if (line.startsWith('sent')) reports++;
        if (drained || reports >= killAfter) child.kill('SIGKILL');
      }
    });
    child.on('exit', (_code, signal) => (signal === 'SIGKILL' ? resolve(drained) : reject(new Error(`the publisher exited by itself: ${errors}`))));
  });
}

describe('a publisher killed mid-publishing', () => {
  it('sends every message exactly once to the feed files, in order, and empties the outbox', async () => {
    const dbFile = join(dir, 'read-models.sqlite');
    const feedDir = join(dir, 'feed');
    const outbox = SqliteOutbox.open(dbFile);
    outbox.add(testValueSchema, [...testMessages('feed', 3_000, { period: '2009-03' }), ...testMessages('feed', 1_000, { period: '2009-03', revision: 2 })]);
    const expected = outbox.pending(10_000).map((m) => `{"key":${JSON.stringify(m.key)},"revision":${m.revision},"value":${m.value}}`);

    let rounds = 0;
    while (!(await runPublisher(dbFile, feedDir, 3))) {
      rounds++;
      expect(rounds).toBeLessThan(200);
    }
    // It was killed part-way more than once before it could finish.
    expect(rounds).toBeGreaterThan(2);
    expect(outbox.backlog().pending).toBe(0);
    expect(readdirSync(join(feedDir, 'feed'))).toEqual(['2009-03.jsonl']);
    const lines = readFileSync(join(feedDir, 'feed', '2009-03.jsonl'), 'utf8').trimEnd().split('\n');
    expect(lines).toEqual(expected);
    outbox.close();
  }, 120_000);
});
