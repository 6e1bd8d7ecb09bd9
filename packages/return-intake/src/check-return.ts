import type { Agency, Catalogue } from '@beacon/catalogue';
import { describePeriod } from '@beacon/periods';
import type { ReturnFormat, ReturnReadItem, RowProblem } from '@beacon/returns';
import { checkReading, type RowWarning } from './check-reading.js';
import { ReadingBuffer } from './reading-buffer.js';

/** Enough to fix a file in one sitting; the count of the rest is still given. */
export const PROBLEMS_LISTED = 1_000;

export interface ReturnChecked {
  format: ReturnFormat | undefined;
  readings: ReadingBuffer;
  problems: RowProblem[];
  /** Problems found beyond the first PROBLEMS_LISTED. */
  problemsNotListed: number;
  warnings: RowWarning[];
}

/**
 * Reads a whole return, row by row as it streams in, checking every row against the catalogue
 * and the return against itself (the same measure, area and period twice). Every problem is
 * found, not just the first; nothing is stored here. Takes readReturn's items, or the batches
 * of readReturnInBatches (which spare a large return an await per row).
 */
export async function checkReturn(
  items: AsyncIterable<ReturnReadItem | readonly ReturnReadItem[]>,
  agency: Agency,
  catalogue: Catalogue,
): Promise<ReturnChecked> {
  const checked: ReturnChecked = { format: undefined, readings: new ReadingBuffer(), problems: [], problemsNotListed: 0, warnings: [] };
  const note = (problem: RowProblem) => {
    if (checked.problems.length < PROBLEMS_LISTED) checked.problems.push(problem);
    else checked.problemsNotListed++;
  };
  const take = (item: ReturnReadItem) => {
    if (item.kind === 'format') {
      checked.format = item.format;
      return;
    }
    if (item.kind === 'problem') {
      note(item.problem);
      return;
    }
    const result = checkReading(item.row, agency, catalogue);
    if ('problems' in result) {
      for (const problem of result.problems) note(problem);
      return;
    }
    const { reading } = result;
    const first = checked.readings.add(reading);
    if (first !== undefined) {
      note({
        row: reading.row,
        column: 'measure',
        value: item.row.measure,
        reason: `row ${first} already gives ${reading.measureId} for ${reading.area}, ${describePeriod(reading.period)}`,
        fix: 'keep one of the two rows',
      });
      return;
    }
    checked.warnings.push(...result.warnings);
  };

  for await (const got of items) {
    if (isBatch(got)) for (const item of got) take(item);
    else take(got);
  }
  if (checked.readings.length === 0 && checked.problems.length === 0) {
    note({ row: 2, column: 'measure', value: '', reason: 'the return holds no readings', fix: 'add one row per reading under the header row' });
  }
  return checked;
}

const isBatch = (got: ReturnReadItem | readonly ReturnReadItem[]): got is readonly ReturnReadItem[] => Array.isArray(got);
