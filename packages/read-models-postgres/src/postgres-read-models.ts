import type { StoredEvent } from '@beacon/event-store';
import { inTransaction, quoted } from '@beacon/event-store-postgres';
import { type DecodedBatch, decodeEvents, outboxTables, PROJECTION, ProjectionStopped, type RecordChange, type RecordKeeper, tallyLog } from '@beacon/read-models';
import type pg from 'pg';
import { endPool, locationOf, type Original, openPool, type PostgresReadModelsOptions, statementName } from './pool.js';
import { checkDroppable, checkedReadModelsSchema } from './schema.js';


/** What a statement binds; positions are bigints. */
type Value = RecordChange['values'][number];

/** A table's columns in the order `decodeEvents` gives their values, with their types for unnest. */
type Columns = readonly (readonly [name: string, type: string])[];

const returnColumns: Columns = [
  ['return_id', 'text'],
  ['agency', 'text'],
  ['submitter', 'text'],
  ['file_name', 'text'],
  ['sha256', 'text'],
  ['format', 'text'],
  ['reading_count', 'integer'],
  ['period_start', 'text'],
  ['period_end', 'text'],
  ['recorded_at', 'text'],
  ['position', 'bigint'],
];
/** Those of a reading event, then what a correction later in the same batch sets. */
const readingColumns: Columns = [
  ['return_id', 'text'],
  ['row', 'integer'],
  ['measure_id', 'text'],
  ['area', 'text'],
  ['period_start', 'text'],
  ['period_end', 'text'],
  ['value', 'double precision'],
  ['numerator', 'double precision'],
  ['denominator', 'double precision'],
  ['sample_size', 'integer'],
  ['agency', 'text'],
  ['submitted_measure_id', 'text'],
  ['note', 'text'],
  ['recorded_at', 'text'],
  ['position', 'bigint'],
  ['superseded_at', 'text'],
  ['superseded_by_return', 'text'],
  ['superseded_by_row', 'integer'],
];
const SUPERSEDED_AT = 15;
const targetColumns: Columns = [
  ['target_id', 'text'],
  ['version', 'integer'],
  ['measure_id', 'text'],
  ['area', 'text'],
  ['kind', 'text'],
  ['value', 'double precision'],
  ['direction', 'text'],
  ['period_start', 'text'],
  ['period_end', 'text'],
  ['baseline_value', 'double precision'],
  ['baseline_start', 'text'],
  ['baseline_end', 'text'],
  ['tolerance_type', 'text'],
  ['tolerance_value', 'double precision'],
  ['source', 'text'],
  ['note', 'text'],
  ['recorded_at', 'text'],
  ['position', 'bigint'],
];
const populationColumns: Columns = [
  ['area', 'text'],
  ['base', 'text'],
  ['year', 'integer'],
  ['value', 'bigint'],
  ['illustrative', 'integer'],
  ['projected', 'integer'],
  ['source', 'text'],
  ['recorded_at', 'text'],
  ['position', 'bigint'],
];
/** As the audit statement takes them, with "was" worked out in place of the subject's second copy. */
const auditColumns: Columns = [
  ['recorded_at', 'text'],
  ['kind', 'text'],
  ['subject', 'text'],
  ['person', 'text'],
  ['agency', 'text'],
  ['measure_id', 'text'],
  ['area', 'text'],
  ['period_start', 'text'],
  ['period_end', 'text'],
  ['was', 'text'],
  ['now', 'text'],
  ['what', 'text'],
  ['position', 'bigint'],
];
const AUDIT_SUBJECT = 2;
const AUDIT_WAS = 9;
const AUDIT_NOW = 10;

/**
 * Where the projector keeps the records in PostgreSQL: the same tables as the SQLite read models,
 * in a schema of their own, so a deployment needs one database. Each batch and its checkpoint are
 * written in one transaction that first locks the checkpoint row, so two projectors on the same
 * schema take turns and never both count an event; a batch at or before the checkpoint changes
 * nothing. Rows are written a kind at a time, one multi-row INSERT each (see BatchWrites), not
 * one round trip per event.
 */
export class PostgresReadModels implements RecordKeeper {
  private readonly sql;
  private replaced = false;

  /** Over a pool whose `schema` is already prepared (openPostgresReadModels); `open` makes one. */
  constructor(
    private readonly pool: pg.Pool,
    readonly schema: string,
    readonly location: string,
    /** For a rebuild: the read models it is to replace. */
    private readonly original?: Original,
  ) {
    const s = quoted(schema);
    const statement = (name: string, text: string) => ({ name: statementName(schema, name), text, rowMode: 'array' as const });
    const insert = (table: string, columns: Columns) =>
      statement(
        `insert_${table}`,
        `INSERT INTO ${s}.${table} (${columns.map(([name]) => name).join(', ')})
         SELECT * FROM unnest(${columns.map(([, type], i) => `$${i + 1}::${type}[]`).join(', ')})`,
      );
    this.sql = {
      checkpoint: statement('checkpoint', `SELECT position FROM ${s}.checkpoint WHERE projection = '${PROJECTION}'`),
      lockCheckpoint: statement('lock_checkpoint', `SELECT position FROM ${s}.checkpoint WHERE projection = '${PROJECTION}' FOR UPDATE`),
      addCheckpoint: statement('add_checkpoint', `INSERT INTO ${s}.checkpoint (projection, position) VALUES ('${PROJECTION}', 0) ON CONFLICT (projection) DO NOTHING`),
      setCheckpoint: statement('set_checkpoint', `UPDATE ${s}.checkpoint SET position = $1 WHERE projection = '${PROJECTION}'`),
      // What each subject's last entry said it became: the "was" of its next.
      latestNow: statement(
        'latest_now',
        `SELECT DISTINCT ON (subject) subject, now FROM ${s}.audit_trail WHERE subject = ANY ($1::text[]) ORDER BY subject, position DESC`,
      ),
      // Readings written before this batch; those written in it are corrected before they are inserted.
      supersede: statement(
        'supersede',
        `UPDATE ${s}.readings r SET superseded_at = c.at, superseded_by_return = c.by_return, superseded_by_row = c.by_row
         FROM unnest($1::text[], $2::text[], $3::integer[], $4::text[], $5::text[], $6::text[], $7::text[], $8::integer[])
           AS c (at, by_return, by_row, measure_id, area, period_start, return_id, row)
         WHERE r.measure_id = c.measure_id AND r.area = c.area AND r.period_start = c.period_start
           AND r.return_id = c.return_id AND r.row = c.row AND r.superseded_at IS NULL`,
      ),
      // The log's holdings: a type's first position stays as first written.
      logTypes: statement(
        'log_types',
        `INSERT INTO ${s}.log_types (type, events, first_position) SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[])
         ON CONFLICT (type) DO UPDATE SET events = log_types.events + excluded.events`,
      ),
      logStreams: statement('log_streams', `INSERT INTO ${s}.log_streams (stream) SELECT * FROM unnest($1::text[]) ON CONFLICT (stream) DO NOTHING`),
      returns: insert('returns', returnColumns),
      readings: insert('readings', readingColumns),
      targets: insert('targets', targetColumns),
      populations: insert('populations', populationColumns),
      audit: insert('audit_trail', auditColumns),
    };
  }

  /** The read models in `schema`, created or migrated to the latest version; refused (ReadModelsNotUsable) when made by a newer Beacon. */
  static async open(options: PostgresReadModelsOptions): Promise<PostgresReadModels> {
    const { pool, location } = await openPool(options);
    return new PostgresReadModels(pool, options.schema, location);
  }

  /**
   * Fresh read models in `<schema>_rebuilding` (dropped first), to project the whole log into
   * and then put in the original's place with `replaceOriginal`. Until then the original stays
   * as it was: a rebuild stopped half-way changes nothing. No projector may write to the
   * original meanwhile (what it wrote would be replaced).
   */
  static async rebuilding(options: PostgresReadModelsOptions): Promise<PostgresReadModels> {
    const original = { schema: checkedReadModelsSchema(options.schema), location: locationOf(options.url, options.schema) };
    const schema = `${original.schema}_rebuilding`;
    // A rebuild not finished is thrown away, so its commits need not wait for the disk (a crash
    // loses the last few, never corrupts); replaceOriginal's commit does wait, and flushes them all.
    const { pool, location } = await openPool({ url: options.url, schema }, { max: 1, rebuildOf: original, settings: '-c synchronous_commit=off' });
    return new PostgresReadModels(pool, schema, location, original);
  }

  /** Position of the last event projected (0n before any). */
  async checkpoint(): Promise<bigint> {
    const { rows } = await this.pool.query<[bigint]>(this.sql.checkpoint);
    return rows[0]?.[0] ?? 0n;
  }

  /** Projects a batch of events in log order, with the checkpoint, in one transaction (see ReadModels#project). */
  project(events: readonly StoredEvent[]): Promise<bigint> {
    return this.apply(decodeEvents(events));
  }

  /**
   * Writes changes already decoded by `decodeEvents`, as `project` does. The changes before an
   * event that could not be read are kept, then ProjectionStopped names it.
   */
  async apply(batch: DecodedBatch): Promise<bigint> {
    if (this.replaced) throw new Error(`The rebuild in ${this.location} has replaced the original read models: project into those now.`);
    const position = await inTransaction(this.pool, (client) => this.write(client, batch));
    if (batch.stopped) {
      const { position: at, eventType, stream, reason } = batch.stopped;
      throw new ProjectionStopped(at, eventType, stream, reason);
    }
    return position;
  }

  /**
   * Puts the rebuilt read models in the original's place, in one transaction: readers see the
   * old ones until the commit, the new ones after it, never neither. The feed outbox kept in the
   * original schema is moved across untouched.
   */
  async replaceOriginal(): Promise<void> {
    if (this.original === undefined) throw new Error(`${this.location} is not a rebuild: there is nothing for it to replace.`);
    if (this.replaced) return;
    const { original } = this;
    // Statistics for the planner before the first reader asks (autovacuum would get there later).
    await this.pool.query(`ANALYZE ${['readings', 'returns', 'targets', 'populations', 'audit_trail', 'log_types', 'log_streams'].map((table) => `${quoted(this.schema)}.${table}`).join(', ')}`);
    await inTransaction(this.pool, async (client) => {
      await client.query('SET LOCAL synchronous_commit = on');
      // Again: the original might have been made something else since the rebuild began.
      await checkDroppable(client, original.schema, original.location, 'allowed');
      // The outbox is no read model but the record of what was published: it moves across as it
      // is, with its indexes and identity (no position handed out twice), before the drop. The
      // reporter, like the projector, must not be running meanwhile.
      for (const table of outboxTables) await client.query(`ALTER TABLE IF EXISTS ${quoted(original.schema)}.${table} SET SCHEMA ${quoted(this.schema)}`);
      await client.query(`DROP SCHEMA IF EXISTS ${quoted(original.schema)} CASCADE`);
      await client.query(`ALTER SCHEMA ${quoted(this.schema)} RENAME TO ${quoted(original.schema)}`);
    });
    this.replaced = true;
  }

  close(): Promise<void> {
    return endPool(this.pool);
  }

  /** The changes and log holdings after the checkpoint, and the checkpoint after them, inside the caller's transaction. */
  private async write(client: pg.PoolClient, batch: DecodedBatch): Promise<bigint> {
    const { sql } = this;
    const checkpoint = await this.lockCheckpoint(client);
    let last = checkpoint;
    const fresh: RecordChange[] = [];
    for (const change of batch.changes) {
      if (change.position <= last) continue;
      fresh.push(change);
      last = change.position;
    }
    const tally = tallyLog(batch.log, checkpoint);
    if (tally.last > last) last = tally.last;
    if (last === checkpoint) return checkpoint;

    const subjects = new Set<string>();
    for (const change of fresh) {
      if (change.kind === 'target') subjects.add(change.audit[AUDIT_SUBJECT] as string);
      else if (change.kind === 'audit') subjects.add(change.values[AUDIT_SUBJECT] as string);
    }
    const latestNow = new Map<string, string | null>();
    if (subjects.size > 0) {
      for (const [subject, now] of (await client.query<[string, string | null]>({ ...sql.latestNow, values: [[...subjects]] })).rows) latestNow.set(subject, now);
    }
    const writes = new BatchWrites(latestNow);
    for (const change of fresh) writes.add(change);

    // Corrections of readings written before this batch first, so they cannot touch this batch's.
    if (writes.supersedes.size > 0) await client.query({ ...sql.supersede, values: columnsOf([...writes.supersedes.values()], 8) });
    const inserts = [
      [sql.returns, writes.returns, returnColumns],
      [sql.readings, writes.readings, readingColumns],
      [sql.targets, writes.targets, targetColumns],
      [sql.populations, writes.populations, populationColumns],
      [sql.audit, writes.audit, auditColumns],
    ] as const;
    for (const [statement, rows, columns] of inserts) {
      if (rows.length > 0) await client.query({ ...statement, values: columnsOf(rows, columns.length) });
    }
    if (tally.types.size > 0) {
      const types = [...tally.types];
      await client.query({ ...sql.logTypes, values: [types.map(([type]) => type), types.map(([, t]) => t.events), types.map(([, t]) => t.first)] });
    }
    if (tally.streams.size > 0) await client.query({ ...sql.logStreams, values: [[...tally.streams]] });
    await client.query({ ...sql.setCheckpoint, values: [last] });
    return last;
  }

  /** Locks the checkpoint row until the transaction ends (another projector waits here), making it first if need be. */
  private async lockCheckpoint(client: pg.PoolClient): Promise<bigint> {
    const locked = await client.query<[bigint]>(this.sql.lockCheckpoint);
    if (locked.rows[0]) return locked.rows[0][0];
    await client.query(this.sql.addCheckpoint);
    return ((await client.query<[bigint]>(this.sql.lockCheckpoint)).rows[0] as [bigint])[0];
  }
}

/** A reading as a correction names it: measure, area, period start, return and row. */
const readingKey = (...parts: unknown[]) => parts.join('\u001f');

/**
 * One batch's rows, a list per table, with the effects of one change on another worked out in
 * memory, in log order, as SQLite's row-at-a-time statements would have them: a correction of a
 * reading earlier in the batch marks the pending row; one of a reading written before the batch
 * is kept for a single UPDATE (the first per reading: a later one would find it superseded
 * already); and an audit entry's "was" is the "now" of its subject's entry before it.
 */
class BatchWrites {
  readonly returns: Value[][] = [];
  readonly readings: Value[][] = [];
  readonly targets: Value[][] = [];
  readonly populations: Value[][] = [];
  readonly audit: Value[][] = [];
  /** Corrections of readings written before this batch, by the reading they correct. */
  readonly supersedes = new Map<string, Value[]>();
  private readonly pendingReadings = new Map<string, Value[][]>();

  /** `latestNow`: each subject's last "now" before the batch. */
  constructor(private readonly latestNow: Map<string, string | null>) {}

  add(change: RecordChange): void {
    switch (change.kind) {
      case 'return':
        this.returns.push(change.values);
        return;
      case 'reading':
        this.addReading(change.values);
        return;
      case 'supersede':
        this.supersede(change.values);
        return;
      case 'target':
        this.targets.push(change.values);
        this.addAudit(change.audit);
        return;
      case 'audit':
        this.addAudit(change.values);
        return;
      case 'population':
        this.populations.push(change.values);
        return;
    }
  }

  private addReading(values: Value[]): void {
    const row = [...values, null, null, null];
    this.readings.push(row);
    const [returnId, number, measureId, area, periodStart] = values;
    const key = readingKey(measureId, area, periodStart, returnId, number);
    const same = this.pendingReadings.get(key);
    if (same) same.push(row);
    else this.pendingReadings.set(key, [row]);
  }

  /** values: superseded_at, by return, by row, measure, area, period start, the superseded reading's return and row. */
  private supersede(values: Value[]): void {
    const [at, byReturn, byRow, measureId, area, periodStart, returnId, number] = values;
    const key = readingKey(measureId, area, periodStart, returnId, number);
    for (const row of this.pendingReadings.get(key) ?? []) {
      if (row[SUPERSEDED_AT] !== null) continue;
      row[SUPERSEDED_AT] = at ?? null;
      row[SUPERSEDED_AT + 1] = byReturn ?? null;
      row[SUPERSEDED_AT + 2] = byRow ?? null;
    }
    if (!this.supersedes.has(key)) this.supersedes.set(key, values);
  }

  private addAudit(values: Value[]): void {
    const subject = values[AUDIT_SUBJECT] as string;
    const row = [...values];
    row[AUDIT_WAS] = this.latestNow.get(subject) ?? null;
    this.latestNow.set(subject, row[AUDIT_NOW] as string | null);
    this.audit.push(row);
  }
}

/** Rows turned into one array per column, as unnest takes them. */
function columnsOf(rows: readonly (readonly Value[])[], width: number): Value[][] {
  const columns = Array.from({ length: width }, () => new Array<Value>(rows.length));
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i] as readonly Value[];
    for (let c = 0; c < width; c++) (columns[c] as Value[])[i] = row[c] ?? null;
  }
  return columns;
}
