import type { Period } from '@beacon/catalogue';
import type { StoredEvent } from '@beacon/event-store';
import type { CorrectionOnRecord, RecordsAsAt, ReturnOnRecord, TargetOnRecord } from '@beacon/reports';
import type { AuditEntry, AuditFilter } from './audit.js';
import type { DecodedBatch } from './projection.js';

/**
 * An answer given at once (SQLite, in this thread) or later (PostgreSQL, over the network):
 * callers always await it, so one caller serves both.
 */
export type Answer<T> = T | Promise<T>;

/**
 * Where the projector keeps the records: SQLite for the embedded default, PostgreSQL for a
 * deployment on a server. Each batch is written with its checkpoint in one transaction, and a
 * batch at or before the checkpoint changes nothing.
 */
export interface RecordKeeper {
  /** Where the records are, for messages (never a password). */
  readonly location: string;
  /** Position of the last event projected (0n before any). */
  checkpoint(): Answer<bigint>;
  /** Projects a batch of events in log order (see ReadModels#project). */
  project(events: readonly StoredEvent[]): Answer<bigint>;
  /** Writes changes already decoded by `decodeEvents`, perhaps in another thread. */
  apply(batch: DecodedBatch): Answer<bigint>;
  close(): Answer<void>;
}

/** What a report's scope needs read: the catalogue's measures, for an area and its members, over a window. */
export interface ReportScope {
  measureIds: readonly string[];
  areas: readonly string[];
  /** The periods the report reads readings from (lookBackWindow of @beacon/reports); undefined: all. */
  window?: Period;
}

/** What reports and pages read from the records, as at any moment. */
export interface RecordBook {
  /** Position of the last event projected: answers may be remembered until it moves. */
  checkpoint(): Answer<bigint>;
  /** The records as they stood at `asAt` (undefined: everything so far), for reports on `scope`. */
  asAt(asAt: string | undefined, scope: ReportScope): Answer<RecordsAsAt>;
  /** Corrections recorded after `from` and up to `to`, of readings recorded by `recordedBy` (default `to`). */
  correctionsBetween(from: string, to: string, recordedBy?: string): Answer<CorrectionOnRecord[]>;
  /** Returns recorded after `from` and up to `to`. */
  returnsBetween(from: string, to: string): Answer<ReturnOnRecord[]>;
  /** Every version of every target recorded by `asAt`. */
  targets(asAt?: string): Answer<TargetOnRecord[]>;
  /** The first day and last day that returns recorded by `asAt` cover (undefined before any). */
  span(asAt?: string): Answer<{ first: string; last: string } | undefined>;
  returnById(returnId: string): Answer<ReturnOnRecord | undefined>;
  /** When the latest return, target or population was recorded (undefined before any). */
  lastRecordedAt(): Answer<string | undefined>;
  /** Whether anything projected after `position` bears on `window`: a reading that overlaps it, or any target or population. */
  changedSince(position: bigint, window: Period): Answer<boolean>;
  /** What the log held as far as it is projected: events, streams, and events per type in the order types were first seen. */
  holdings(): Answer<LogHoldings>;
}

/** The event log's holdings, counted by the projector as it goes (log_types, log_streams). */
export interface LogHoldings {
  events: number;
  streams: number;
  /** Events per type, in the order each type was first seen in the log. */
  byType: Map<string, number>;
}

/** The audit trail, newest first. */
export interface AuditBook {
  entries(filter?: AuditFilter): Answer<AuditEntry[]>;
  /** Who recorded each target version, keyed `${targetId}\u001f${version}`. */
  targetSetters(): Answer<Map<string, string>>;
}
