export type { CellProblem, SpreadsheetCell } from './cells.js';
export { parseDateCell, parseDateText, parseNumberCell, parseNumberText } from './cells.js';
export { RETURN_COLUMNS, type ReturnColumnName, type ReturnField } from './columns.js';
export type { CsvDelimiter } from './csv.js';
export type { ReturnFormat } from './detect.js';
export { DamagedZip, dataRange, readZipDirectory, type ZipEntry } from './zip.js';
export { SAVE_AS_ADVICE, UnreadableReturn, UnsupportedReturnFormat, type UnsupportedKind } from './errors.js';
export {
  type ReadReturnOptions,
  type ReturnFormatFound,
  type ReturnInput,
  type ReturnProgress,
  type ReturnReadItem,
  readReturn,
  readReturnInBatches,
} from './read-return.js';
export type { ReturnRowResult } from './rows.js';
export { type FixParams, type ReturnRow, type ReturnRowInput, ReturnRowSchema, type RowProblem, returnRowSchema } from './schema.js';
