import { mkdir, open, readFile, truncate } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { OutboxMessage, PublishedMessage } from './outbox.js';
import type { FeedSink } from './sink.js';

/** One line of a feed file (JSON Lines): the value is the message's JSON exactly as the outbox holds it. */
export const feedLine = (message: PublishedMessage) => `{"key":${JSON.stringify(message.key)},"revision":${message.revision},"value":${message.value}}\n`;
const identity = (key: string, revision: number) => `${revision} ${key}`;

/**
 * The embedded default's feed: one JSON Lines file per topic and period, `<directory>/<topic>/<period>.jsonl`,
 * appended to in outbox order. Exactly one line per (key, revision): the publisher sends again
 * what it had not marked sent when it stopped, so before appending to a file the sink reads the
 * lines it already has, cuts off a line left half-written by a crash, and skips what is there.
 */
export function createFileSink(directory: string): FeedSink {
  /** The (key, revision) pairs in each file this sink has opened. */
  const written = new Map<string, Set<string>>();

  async function linesIn(file: string): Promise<Set<string>> {
    const known = written.get(file);
    if (known) return known;
    const seen = new Set<string>();
    const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return '';
      throw error;
    });
    const complete = text.lastIndexOf('\n') + 1;
    if (complete < text.length) await truncate(file, Buffer.byteLength(text.slice(0, complete)));
    text
      .slice(0, complete)
      .split('\n')
      .forEach((line, index) => {
        if (line === '') return;
        try {
          const { key, revision } = JSON.parse(line) as { key: string; revision: number };
          seen.add(identity(key, revision));
        } catch {
          throw new Error(`${file}, line ${index + 1}: not a feed line (${line.slice(0, 80)})`);
        }
      });
    written.set(file, seen);
    return seen;
  }

  return {
    description: `files in ${directory}`,
    async deliver(messages) {
      const byFile = new Map<string, OutboxMessage[]>();
      for (const message of messages) {
        const file = join(directory, message.topic, `${message.period}.jsonl`);
        const inFile = byFile.get(file) ?? [];
        inFile.push(message);
        byFile.set(file, inFile);
      }
      for (const [file, inFile] of byFile) {
        await mkdir(dirname(file), { recursive: true });
        const seen = await linesIn(file);
        const fresh = inFile.filter((message) => !seen.has(identity(message.key, message.revision)));
        if (fresh.length === 0) continue;
        const handle = await open(file, 'a');
        try {
          await handle.write(fresh.map(feedLine).join(''));
          // On disk before the outbox marks the messages sent.
          await handle.datasync();
        } catch (error) {
          // What reached the file is unknown now: read it again on the next attempt.
          written.delete(file);
          throw error;
        } finally {
          await handle.close();
        }
        for (const message of fresh) seen.add(identity(message.key, message.revision));
      }
    },
    async close() {
      written.clear();
    },
  };
}
