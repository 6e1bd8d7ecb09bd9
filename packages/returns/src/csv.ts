/**
 * Reading a CSV return as it streams in: csv-parse is fed one slice of bytes at a time and
 * each slice's rows are handed on before the next is read, so a large file never sits
 * whole in memory.
 */
import { type CsvError, Parser } from 'csv-parse';
import { columnLetters } from './columns.js';
import { UnsupportedReturnFormat } from './errors.js';
import { type ReturnRowResult, SheetRows } from './rows.js';
import type { RowProblem } from './schema.js';

export type CsvDelimiter = ',' | ';';

/**
 * The delimiter the header line uses, counting outside quotes. Excel writes ";" where the
 * decimal mark is a comma.
 */
export function sniffDelimiter(headerLine: string): CsvDelimiter | 'tab' {
  let commas = 0;
  let semicolons = 0;
  let tabs = 0;
  let quoted = false;
  for (const char of headerLine) {
    if (char === '"') quoted = !quoted;
    else if (quoted) continue;
    else if (char === ',') commas++;
    else if (char === ';') semicolons++;
    else if (char === '\t') tabs++;
  }
  if (semicolons > commas) return ';';
  return commas === 0 && tabs > 0 ? 'tab' : ',';
}

/** Enough of the start of the file to hold its header line. */
async function readHeaderLine(iterator: AsyncIterator<Uint8Array>): Promise<{ head: Uint8Array[]; line: string }> {
  const head: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const next = await iterator.next();
    if (next.done) break;
    head.push(next.value);
    size += next.value.length;
    if (next.value.includes(0x0a) || next.value.includes(0x0d) || size >= 1024 * 1024) break;
  }
  const bytes = Buffer.concat(head);
  let end = bytes.findIndex((b) => b === 0x0a || b === 0x0d);
  if (end < 0) end = bytes.length;
  return { head, line: bytes.subarray(0, end).toString('utf8') };
}

export type CsvItem = { kind: 'format'; format: 'csv'; delimiter: CsvDelimiter } | ReturnRowResult;

function skippedRow(error: CsvError, row: number, sheet: SheetRows): RowProblem {
  const column = typeof error.column === 'number' ? error.column : 0;
  const unclosed = error.code === 'CSV_QUOTE_NOT_CLOSED';
  return {
    row,
    column: sheet.headerOf(column) ?? `column ${columnLetters(column)}`,
    value: unclosed ? '"' : '',
    reason: unclosed
      ? 'a quote (") opens in this cell and is never closed, so this row and every row after it could not be read'
      : `this row could not be read (${error.message})`,
    fix: 'close the quote or delete it; if the file came from Excel, save it from Excel again as CSV',
  };
}

export async function* readCsv(
  source: AsyncIterable<Uint8Array>,
  fileName: string,
  onProgress: (rows: number) => void,
): AsyncGenerator<CsvItem[]> {
  const iterator = source[Symbol.asyncIterator]();
  const { head, line } = await readHeaderLine(iterator);
  const delimiter = sniffDelimiter(line);
  if (delimiter === 'tab') throw new UnsupportedReturnFormat(fileName, 'tab-separated', 'tab-separated text (e.g. Excel\'s "Text (Tab delimited)")');
  yield [{ kind: 'format', format: 'csv', delimiter }];

  const sheet = new SheetRows({ decimalComma: delimiter === ';' });
  let out: ReturnRowResult[] = [];
  let records = 0;
  // Rows csv-parse could not read, in the order met, with how many records came before each.
  const skipped: { error: CsvError; before: number }[] = [];
  let skippedSoFar = 0;
  const parser = new Parser({
    delimiter,
    bom: true,
    // Excel never writes a stray quote inside a field; a hand-edited file keeps it as text.
    relax_quotes: true,
    // Ragged rows are the sheet's to report, with their row numbers.
    relax_column_count: true,
    skip_records_with_error: true,
    on_skip: (error: CsvError | undefined) => {
      if (error) skipped.push({ error, before: typeof error.records === 'number' ? error.records : records });
    },
  });
  let failure: Error | undefined;
  parser.on('error', (error) => {
    failure = error;
  });

  const reportSkipped = (before: number) => {
    for (let next = skipped[0]; next !== undefined && next.before < before; next = skipped[0]) {
      skipped.shift();
      skippedSoFar++;
      out.push({ kind: 'problem', problem: skippedRow(next.error, next.before + skippedSoFar, sheet) });
    }
  };
  const take = (record: string[]) => {
    records++;
    if (skipped.length > 0) reportSkipped(records);
    sheet.push(records + skippedSoFar, record, out);
  };
  /** The items of the slice just parsed, as one batch. */
  const drain = function* () {
    if (failure) throw failure;
    if (out.length > 0) yield out;
    out = [];
    onProgress(sheet.rowsRead);
  };
  try {
    for (let i = 0; ; i++) {
      let chunk: Uint8Array;
      if (i < head.length) chunk = head[i] as Uint8Array;
      else {
        const next = await iterator.next();
        if (next.done) break;
        chunk = next.value;
      }
      // The parser works through a chunk as it is written; its records are taken straight away.
      parser.write(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      for (let record = parser.read(); record !== null; record = parser.read()) take(record);
      yield* drain();
      // An unusable header has been reported: the rows below it are not read.
      if (sheet.headerFailed) return;
    }
    parser.end();
    for await (const record of parser) take(record);
    reportSkipped(Number.POSITIVE_INFINITY);
    sheet.finish(out);
    yield* drain();
  } finally {
    parser.destroy();
    await iterator.return?.();
  }
}
