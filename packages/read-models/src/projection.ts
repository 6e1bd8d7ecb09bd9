import type { StoredEvent } from '@beacon/event-store';
import { type EventData, fromStoredEvent, UnreadableEvent } from '@beacon/events';
import Database from 'better-sqlite3';
import { AuditTrail, auditOfAccountEvent, targetAudit } from './audit.js';
import type { RecordKeeper } from './record-book.js';
import { Records } from './records.js';
import { PROJECTION } from './rows.js';
import { prepareSchema } from './schema.js';

/** The projector met an event it cannot project; it stops there rather than skip it. */
export class ProjectionStopped extends Error {
  override readonly name = 'ProjectionStopped';
  constructor(
    readonly position: bigint,
    readonly eventType: string,
    readonly stream: string,
    reason: string,
  ) {
    super(
      `The projector stopped at event ${eventType} (position ${position}, stream "${stream}"): ${reason}. ` +
        'Everything before it is projected. Upgrade Beacon if the event is newer than this version; otherwise report it.',
    );
  }
}


/** UTC with milliseconds, so text order is time order whatever offset the event was written with. */
const CANONICAL_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
export const utc = (time: string) => (CANONICAL_TIME.test(time) ? time : new Date(time).toISOString());

export interface ReadModelsOptions {
  /** 'off' is for a rebuild into a fresh file, which is thrown away if it does not finish. */
  synchronous?: 'normal' | 'off';
}

/**
 * Where the event log becomes the records reports are made from: returns, readings (with
 * corrections marked, never deleted), targets and populations, in SQLite. Each batch of events
 * and the checkpoint that follows it are written in one transaction, so a projector killed at
 * any moment resumes exactly after the last batch it finished: no event counted twice, none
 * skipped.
 */
export class ReadModels implements RecordKeeper {
  readonly db: Database.Database;
  private readonly statements;
  private kept?: { records: Records; audit: AuditTrail };

  constructor(
    readonly location: string,
    options: ReadModelsOptions = {},
  ) {
    this.db = new Database(location);
    try {
      this.db.pragma('busy_timeout = 10000');
      prepareSchema(this.db, location);
      if (options.synchronous === 'off') {
        // A rebuild writes a fresh file that is thrown away unless it finishes: no journal, no
        // syncs, and a cache that holds the hot pages of the series index.
        this.db.pragma('journal_mode = OFF');
        this.db.pragma('synchronous = OFF');
        this.db.pragma('cache_size = -65536');
      } else {
        this.db.pragma('synchronous = NORMAL');
        this.db.pragma('cache_size = -32768');
      }
    } catch (error) {
      this.db.close();
      throw error;
    }
    const db = this.db;
    this.statements = {
      checkpoint: db.prepare('SELECT position FROM checkpoint WHERE projection = ?').pluck().safeIntegers(),
      setCheckpoint: db.prepare('INSERT INTO checkpoint (projection, position) VALUES (?, ?) ON CONFLICT (projection) DO UPDATE SET position = excluded.position'),
      return: db.prepare(
        `INSERT INTO returns (return_id, agency, submitter, file_name, sha256, format, reading_count, period_start, period_end, recorded_at, position)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      reading: db.prepare(
        `INSERT INTO readings (return_id, row, measure_id, area, period_start, period_end, value, numerator, denominator, sample_size,
                               agency, submitted_measure_id, note, recorded_at, position)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      supersede: db.prepare(
        `UPDATE readings SET superseded_at = ?, superseded_by_return = ?, superseded_by_row = ?
         WHERE measure_id = ? AND area = ? AND period_start = ? AND return_id = ? AND row = ? AND superseded_at IS NULL`,
      ),
      target: db.prepare(
        `INSERT INTO targets (target_id, version, measure_id, area, kind, value, direction, period_start, period_end,
                              baseline_value, baseline_start, baseline_end, tolerance_type, tolerance_value, source, note, recorded_at, position)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      population: db.prepare(
        `INSERT INTO populations (area, base, year, value, illustrative, projected, source, recorded_at, position)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      // "was" is what the subject's last entry said it became.
      logType: db.prepare(
        `INSERT INTO log_types (type, events, first_position) VALUES (?, ?, ?)
         ON CONFLICT (type) DO UPDATE SET events = events + excluded.events`,
      ),
      logStream: db.prepare('INSERT INTO log_streams (stream) VALUES (?) ON CONFLICT (stream) DO NOTHING'),
      audit: db.prepare(
        `INSERT INTO audit_trail (recorded_at, kind, subject, person, agency, measure_id, area, period_start, period_end, was, now, what, position)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, (SELECT now FROM audit_trail WHERE subject = ? ORDER BY position DESC LIMIT 1), ?, ?, ?)`,
      ),
    };
  }

  /** What reports and pages read from these read models. */
  get records(): Records {
    return this.readers().records;
  }

  /** The audit trail kept in these read models. */
  get audit(): AuditTrail {
    return this.readers().audit;
  }

  /** Made when first asked: a rebuild's read models are never read. */
  private readers(): { records: Records; audit: AuditTrail } {
    this.kept ??= { records: new Records(this), audit: new AuditTrail(this.db) };
    return this.kept;
  }

  /** Position of the last event projected (0n before any). */
  checkpoint(): bigint {
    return (this.statements.checkpoint.get(PROJECTION) as bigint | undefined) ?? 0n;
  }

  /**
   * Projects a batch of events in log order, with the checkpoint, in one transaction. Events at or
   * before the checkpoint are already projected and are passed over, so a batch delivered twice
   * changes nothing. An event that cannot be read stops the projection there: the events before
   * it are kept, and ProjectionStopped names it.
   */
  project(events: readonly StoredEvent[]): bigint {
    return this.apply(decodeEvents(events));
  }

  /** Writes changes already decoded from the log (by `decodeEvents`, perhaps in another thread), as `project` does. */
  apply(batch: DecodedBatch): bigint {
    // IMMEDIATE: the write lock is taken before the checkpoint is read, so two processes projecting
    // into the same file never both project the same events.
    const position = this.db.transaction(() => {
      const checkpoint = this.checkpoint();
      let last = checkpoint;
      for (const change of batch.changes) {
        if (change.position <= last) continue;
        this.write(change);
        last = change.position;
      }
      const tally = tallyLog(batch.log, checkpoint);
      for (const [type, { events, first }] of tally.types) this.statements.logType.run(type, events, first);
      for (const stream of tally.streams) this.statements.logStream.run(stream);
      if (tally.last > last) last = tally.last;
      this.statements.setCheckpoint.run(PROJECTION, last);
      return last;
    }).immediate();
    if (batch.stopped) {
      const { position: at, eventType, stream, reason } = batch.stopped;
      throw new ProjectionStopped(at, eventType, stream, reason);
    }
    return position;
  }

  private write(change: RecordChange): void {
    const s = this.statements;
    // The values are bound as they are (an array binds positionally): no copy per event.
    switch (change.kind) {
      case 'return':
        s.return.run(change.values);
        return;
      case 'reading':
        s.reading.run(change.values);
        return;
      case 'supersede':
        s.supersede.run(change.values);
        return;
      case 'target':
        s.target.run(change.values);
        s.audit.run(change.audit);
        return;
      case 'audit':
        s.audit.run(change.values);
        return;
      case 'population':
        s.population.run(change.values);
        return;
    }
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

/** What a statement binds; positions are bigints. */
type Value = string | number | bigint | null;

/**
 * What one event changes in the read models, as plain values in the order the statements take
 * them: decoding (upcasting, validation) is kept apart from writing, so a rebuild can decode the
 * log in one thread while another writes.
 */
export type RecordChange =
  | { kind: 'return' | 'reading' | 'population'; position: bigint; values: Value[] }
  | { kind: 'supersede'; position: bigint; values: Value[] }
  /** A target version, and its line in the audit trail (who set it, from what to what). */
  | { kind: 'target'; position: bigint; values: Value[]; audit: Value[] }
  /** Accounts, tokens, passwords and refused requests: the audit trail only. */
  | { kind: 'audit'; position: bigint; values: Value[] };

/** An event decoded, as the log holdings count it (log_types, log_streams). */
export interface LoggedEventSummary {
  position: bigint;
  type: string;
  stream: string;
}

/**
 * A batch of changes; every event decoded, in log order (those that change no table too), for
 * the log holdings; and the event that stopped it if one could not be read (in neither list).
 */
export interface DecodedBatch {
  changes: RecordChange[];
  log: LoggedEventSummary[];
  stopped?: { position: bigint; eventType: string; stream: string; reason: string };
}

/** Where events become read-model changes: decodes a batch in log order, stopping at an event it cannot read. */
export function decodeEvents(events: readonly StoredEvent[]): DecodedBatch {
  const changes: RecordChange[] = [];
  const log: LoggedEventSummary[] = [];
  for (const stored of events) {
    try {
      changes.push(decodeEvent(stored));
      log.push({ position: stored.position, type: stored.type, stream: stored.stream });
    } catch (error) {
      if (!(error instanceof UnreadableEvent)) throw error;
      return { changes, log, stopped: { position: stored.position, eventType: stored.type, stream: stored.stream, reason: error.message.replace(/^Event .*?: /, '') } };
    }
  }
  return { changes, log };
}

/** One batch's log holdings after `checkpoint`: events per type (with where each was first seen), and the streams seen. */
export interface LogTally {
  types: Map<string, { events: number; first: bigint }>;
  streams: Set<string>;
  /** Position of the last event counted (`checkpoint` when none). */
  last: bigint;
}

/** Tallies the events after `checkpoint` in memory, so the holdings take one write per type and per stream a batch. */
export function tallyLog(log: readonly LoggedEventSummary[], checkpoint: bigint): LogTally {
  const types = new Map<string, { events: number; first: bigint }>();
  const streams = new Set<string>();
  let last = checkpoint;
  for (const event of log) {
    if (event.position <= last) continue;
    const kept = types.get(event.type);
    if (kept) kept.events++;
    else types.set(event.type, { events: 1, first: event.position });
    streams.add(event.stream);
    last = event.position;
  }
  return { types, streams, last };
}

function decodeEvent(stored: StoredEvent): RecordChange {
  const event = fromStoredEvent(stored);
  const position = stored.position;
  switch (event.type) {
    case 'ReturnReceived': {
      const e: EventData<'ReturnReceived'> = event.data;
      const values = [e.returnId, e.agency, e.actor.name ?? e.actor.id, e.fileName, e.sha256, e.format, e.readingCount, e.period.start, e.period.end, utc(e.recordedAt), position];
      return { kind: 'return', position, values };
    }
    case 'ReadingRecorded': {
      const e: EventData<'ReadingRecorded'> = event.data;
      const values = [
        e.returnId,
        e.row,
        e.measureId,
        e.area,
        e.period.start,
        e.period.end,
        e.value,
        e.numerator ?? null,
        e.denominator ?? null,
        e.sampleSize ?? null,
        e.agency,
        e.submittedMeasureId ?? null,
        e.note ?? null,
        utc(e.recordedAt),
        position,
      ];
      return { kind: 'reading', position, values };
    }
    case 'ReadingSuperseded': {
      const e: EventData<'ReadingSuperseded'> = event.data;
      const values = [utc(e.recordedAt), e.by.returnId, e.by.row, e.measureId, e.area, e.period.start, e.superseded.returnId, e.superseded.row];
      return { kind: 'supersede', position, values };
    }
    case 'TargetSet': {
      const e: EventData<'TargetSet'> = event.data;
      const values = [
        e.targetId,
        e.version,
        e.measureId,
        e.area,
        e.target.kind,
        e.target.kind === 'value' ? e.target.value : null,
        e.target.kind === 'direction' ? e.target.direction : null,
        e.period.start,
        e.period.end,
        e.baseline?.value ?? null,
        e.baseline?.period.start ?? null,
        e.baseline?.period.end ?? null,
        e.tolerance?.type ?? null,
        e.tolerance?.value ?? null,
        e.source,
        e.note ?? null,
        utc(e.recordedAt),
        position,
      ];
      return { kind: 'target', position, values, audit: [...targetAudit(e), position] };
    }
    case 'PopulationRecorded': {
      const e: EventData<'PopulationRecorded'> = event.data;
      const values = [e.area, e.base, Number(e.period.start.slice(0, 4)), e.population, e.illustrative ? 1 : 0, e.projected ? 1 : 0, e.source, utc(e.recordedAt), position];
      return { kind: 'population', position, values };
    }
    case 'AccountOpened':
    case 'PasswordSet':
    case 'ApiTokenIssued':
    case 'TokenRevoked':
    case 'AccountClosed':
    case 'AccessRefused':
      return { kind: 'audit', position, values: [...auditOfAccountEvent(event), position] };
  }
}
