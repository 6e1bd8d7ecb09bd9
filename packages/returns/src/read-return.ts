import { type CsvDelimiter, readCsv } from './csv.js';
import { detectFormat, SNIFF_BYTES } from './detect.js';
import { type ReturnRowResult, SheetRows } from './rows.js';
import { openSheet } from './xlsx.js';

/** The bytes of an uploaded return: whole, or as they arrive. */
export type ReturnInput = { bytes: Uint8Array } | { stream: NodeJS.ReadableStream | AsyncIterable<Uint8Array> };

export interface ReturnProgress {
  /**
   * How far into the file reading has got, in bytes. For an .xlsx, which is loaded whole
   * first, how far into the file its sheet has been read.
   */
  bytesRead: number;
  /** Rows read after the header (readings and rows with problems; blank rows are not counted). */
  rows: number;
}

export interface ReadReturnOptions {
  /** The name the officer's file had: used in messages. */
  fileName: string;
  /** For an .xlsx: the sheet to read (case does not matter). Default: the first visible sheet. CSV ignores it. */
  sheet?: string;
  /** Called as reading goes on (once per slice of the file, not per row), e.g. to draw a progress bar. */
  onProgress?: (progress: ReturnProgress) => void;
}

/** Always the first item read: what the file turned out to be. */
export type ReturnFormatFound =
  | { kind: 'format'; format: 'csv'; delimiter: CsvDelimiter }
  | { kind: 'format'; format: 'xlsx'; sheet: string };

export type ReturnReadItem = ReturnFormatFound | ReturnRowResult;

/** Slices of at most 64 KiB, so rows come out steadily whatever size the source's chunks are. */
const SLICE = 64 * 1024;

async function* slices(input: ReturnInput, counter: { bytesRead: number }): AsyncGenerator<Uint8Array> {
  const chunks: AsyncIterable<Uint8Array | string> | Uint8Array[] = 'bytes' in input ? [input.bytes] : input.stream;
  for await (const chunk of chunks) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    for (let at = 0; at < bytes.length; at += SLICE) {
      const slice = bytes.subarray(at, at + SLICE);
      counter.bytesRead += slice.length;
      yield slice;
    }
  }
}

async function* readXlsx(bytes: Uint8Array, options: ReadReturnOptions): AsyncGenerator<ReturnReadItem[]> {
  const sheet = openSheet(bytes, options.fileName, options.sheet);
  yield [{ kind: 'format', format: 'xlsx', sheet: sheet.name }];
  const reader = new SheetRows({ decimalComma: false });
  let position = 0;
  for await (const batch of sheet.rows((at) => (position = at))) {
    const out: ReturnRowResult[] = [];
    for (const { row, cells } of batch) reader.push(row, cells, out);
    if (out.length > 0) yield out;
    options.onProgress?.({ bytesRead: position, rows: reader.rowsRead });
    if (reader.headerFailed) return;
  }
  const out: ReturnRowResult[] = [];
  reader.finish(out);
  if (out.length > 0) yield out;
  options.onProgress?.({ bytesRead: bytes.length, rows: reader.rowsRead });
}

/**
 * Reads a return (CSV or .xlsx) into readings, row by row as the file is read.
 *
 * Yields first `{ kind: 'format' }`, then for each row that is not blank either
 * `{ kind: 'row' }` or one `{ kind: 'problem' }` per bad cell. Problems with the header are
 * reported against its row and end the reading.
 *
 * Throws UnsupportedReturnFormat when the file is neither CSV nor .xlsx (an .xls, a PDF, ...),
 * before yielding anything; and UnreadableReturn when an .xlsx is damaged or cut short, or has
 * no such sheet. Damage inside a sheet may only show after some of its rows were yielded:
 * the whole return is then unread.
 */
export async function* readReturn(input: ReturnInput, options: ReadReturnOptions): AsyncGenerator<ReturnReadItem> {
  for await (const batch of readReturnInBatches(input, options)) yield* batch;
}

/**
 * readReturn's items in batches, as they are read: one batch per slice of the file. For a
 * reader of a large return, whose every item would otherwise cost an await (~0.3 µs a row).
 */
export async function* readReturnInBatches(input: ReturnInput, options: ReadReturnOptions): AsyncGenerator<ReturnReadItem[]> {
  const { fileName, onProgress } = options;
  const counter = { bytesRead: 0 };
  const source = slices(input, counter);
  try {
    const head: Uint8Array[] = [];
    let headSize = 0;
    while (headSize < SNIFF_BYTES) {
      const next = await source.next();
      if (next.done) break;
      head.push(next.value);
      headSize += next.value.length;
    }
    const format = detectFormat(Buffer.concat(head).subarray(0, SNIFF_BYTES), fileName);

    if (format === 'csv') {
      const rest = async function* () {
        yield* head;
        yield* source;
      };
      yield* readCsv(rest(), fileName, (rows) => onProgress?.({ bytesRead: counter.bytesRead, rows }));
      return;
    }

    // A zip's table of contents is at its end: the workbook is held (compressed) in memory.
    for await (const slice of source) head.push(slice);
    yield* readXlsx(Buffer.concat(head), options);
  } finally {
    await source.return(undefined);
  }
}
