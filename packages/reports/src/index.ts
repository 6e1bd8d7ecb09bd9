export { type Changes, changesBetween, type OverdueReading, type StatusChange } from './changes.js';
export { type HistoryPoint, type MeasureHistory, measureHistory, monthEnds } from './history.js';
export { lookBackWindow, type MeasureStatus, measureStatus, type Provenance, scopeOf, type TargetUsed, targetInForce } from './measure-status.js';
export type { CorrectionOnRecord, PopulationOnRecord, ReadingOnRecord, RecordsAsAt, ReturnOnRecord, TargetOnRecord } from './records.js';
export { recordsFromArrays } from './records.js';
export { type GroupSummary, ratedMeasures, type Summary, summaryFor } from './summary.js';
