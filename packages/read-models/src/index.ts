export {
  type DecodedBatch,
  decodeEvents,
  type LoggedEventSummary,
  type LogTally,
  ProjectionStopped,
  ReadModels,
  type ReadModelsOptions,
  type RecordChange,
  tallyLog,
  utc,
} from './projection.js';
export { END_OF_TIME, Records } from './records.js';
export { outboxTables, ReadModelsNotUsable } from './schema.js';
export { asAtMoment, monthEndOfPeriod, PerformanceQueries } from './queries.js';
export { type AuditEntry, type AuditFilter, type AuditKind, AUDIT_LIMIT, AuditTrail, auditBounds, auditCsv, auditEntryFrom, auditKinds, neutralised, targetVersionOf } from './audit.js';
export type { Answer, AuditBook, LogHoldings, RecordBook, RecordKeeper, ReportScope } from './record-book.js';
export { correctionFrom, earliestStart, PROJECTION, returnFrom, type Row, targetFrom } from './rows.js';
