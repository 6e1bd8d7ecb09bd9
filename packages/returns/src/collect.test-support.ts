/** For tests: a return read to the end, and the fixture files. */
import { readFileSync } from 'node:fs';
import { type ReadReturnOptions, type ReturnFormatFound, type ReturnInput, readReturn } from './read-return.js';
import type { ReturnRow, RowProblem } from './schema.js';

export interface ReadResult {
  format: ReturnFormatFound | undefined;
  rows: ReturnRow[];
  problems: RowProblem[];
}

export async function readAll(input: ReturnInput, options: ReadReturnOptions): Promise<ReadResult> {
  const result: ReadResult = { format: undefined, rows: [], problems: [] };
  for await (const item of readReturn(input, options)) {
    if (item.kind === 'format') result.format = item;
    else if (item.kind === 'row') result.rows.push(item.row);
    else result.problems.push(item.problem);
  }
  return result;
}

export function fixture(name: string): Uint8Array {
  return readFileSync(new URL(`../test-fixtures/${name}`, import.meta.url));
}

export async function readFixture(name: string, options: Partial<ReadReturnOptions> = {}): Promise<ReadResult> {
  return readAll({ bytes: fixture(name) }, { fileName: name, ...options });
}
