export { type CheckedReading, checkReading, describeReading, type ReadingCheck, readingKey, type RowWarning } from './check-reading.js';
export { checkReturn, PROBLEMS_LISTED, type ReturnChecked } from './check-return.js';
export { type IngestDependencies, type IngestOutcome, ingestReturn, type ReturnUpload, UnknownAgency } from './ingest-return.js';
export { ReadingBuffer } from './reading-buffer.js';
export { keepReadingsOnRecord, type ReadingInForce, type ReadingsOnRecord, readingsOnRecord } from './readings-on-record.js';
export { type Correction, correctionsIn, type ReturnProvenance, returnEvents, returnIdOf } from './return-to-events.js';
export { templateCsv } from './template.js';
