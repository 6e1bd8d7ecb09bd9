import { createReadStream, statSync } from 'node:fs';
import { basename } from 'node:path';
import { loadCatalogue } from '@beacon/catalogue';
import { ingestReturn, keepReadingsOnRecord } from '@beacon/return-intake';
import { SingleBar } from 'cli-progress';
import type { Config } from '../config.js';
import { openEventStore } from '../open-store.js';
import { outcomeText } from '../outcome-text.js';

export interface IngestOptions {
  file: string;
  agency: string;
  submitter: string;
  sheet?: string;
  dryRun: boolean;
}

/** A bar is only worth drawing for files that take a moment, and only on a terminal. */
const PROGRESS_FROM_BYTES = 2 * 1024 * 1024;

/** `beacon ingest FILE --agency ID`: 0 when the return was accepted (or already held, or valid in a dry run), 1 when rejected. */
export async function ingestCommand(config: Config, options: IngestOptions, say: (line: string) => void): Promise<number> {
  const catalogue = loadCatalogue(config.catalogueDir);
  const size = statSync(options.file).size;
  const bar =
    process.stderr.isTTY && size >= PROGRESS_FROM_BYTES
      ? new SingleBar({ format: 'Reading {file} [{bar}] {percentage}% | {rows} rows', stream: process.stderr, hideCursor: true })
      : undefined;
  bar?.start(size, 0, { file: basename(options.file), rows: 0 });

  const { store } = await openEventStore(config);
  try {
    const outcome = await ingestReturn(
      {
        source: { stream: createReadStream(options.file) },
        fileName: basename(options.file),
        agency: options.agency,
        submitter: { kind: 'person', id: options.submitter, agency: options.agency },
        ...(options.sheet && { sheet: options.sheet }),
        dryRun: options.dryRun,
        onProgress: ({ bytesRead, rows }) => bar?.update(bytesRead, { rows }),
      },
      { store, catalogue, readingsOnRecord: keepReadingsOnRecord(store) },
    );
    bar?.stop();
    for (const line of outcomeText(outcome)) say(line);
    return outcome.status === 'rejected' ? 1 : 0;
  } finally {
    bar?.stop();
    await store.close();
  }
}
