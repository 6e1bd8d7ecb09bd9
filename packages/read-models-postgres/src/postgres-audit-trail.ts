import { quoted } from '@beacon/event-store-postgres';
import { AUDIT_LIMIT, type AuditBook, type AuditEntry, type AuditFilter, auditEntryFrom, targetVersionOf, utc } from '@beacon/read-models';
import type pg from 'pg';
import { endPool } from './pool.js';

type Value = string | number | null;
type Row = Record<string, unknown>;

/**
 * The audit trail in PostgreSQL, newest first, as SQLite's AuditTrail answers it: figures from the
 * readings and returns tables, everything else from audit_trail. A figure's "was" and "now" are
 * numbers and the others' text, which one UNION column cannot hold in PostgreSQL: each comes in
 * a column of its own, and the entry takes whichever is set.
 */
export class PostgresAuditTrail implements AuditBook {
  private readonly figures: string;
  private readonly others: string;
  private readonly targetVersions: string;

  constructor(
    private readonly pool: pg.Pool,
    schema: string,
  ) {
    const s = quoted(schema);
    this.figures = `
      SELECT r.recorded_at AS recorded_at, r.position AS position,
             CASE WHEN old.position IS NULL THEN 'reading' ELSE 'correction' END AS kind,
             ret.submitter AS person, r.agency AS agency, r.measure_id AS measure_id, r.area AS area,
             r.period_start AS period_start, r.period_end AS period_end,
             old.value AS was_figure, r.value AS now_figure, NULL::text AS was, NULL::text AS now,
             'row ' || r.row || ' of ' || ret.file_name AS what, r.return_id AS return_id, r.row AS row
      FROM ${s}.readings AS r JOIN ${s}.returns AS ret ON ret.return_id = r.return_id
      LEFT JOIN ${s}.readings AS old
        ON old.measure_id = r.measure_id AND old.area = r.area AND old.period_start = r.period_start
       AND old.superseded_by_return = r.return_id AND old.superseded_by_row = r.row`;
    this.others = `
      SELECT recorded_at, position, kind, person, agency, measure_id, area, period_start, period_end,
             NULL::double precision AS was_figure, NULL::double precision AS now_figure, was, now, what,
             NULL AS return_id, NULL::integer AS row
      FROM ${s}.audit_trail`;
    this.targetVersions = `SELECT subject, what, person FROM ${s}.audit_trail WHERE kind = 'target' ORDER BY position`;
  }

  async entries(filter: AuditFilter = {}): Promise<AuditEntry[]> {
    const values: Value[] = [];
    const parameter = (value: Value) => `$${values.push(value)}`;
    const figures: string[] = [];
    const others: string[] = [];
    const both = (figureColumn: string, otherColumn: string, operator: string, value: Value) => {
      const p = parameter(value);
      figures.push(`${figureColumn} ${operator} ${p}`);
      others.push(`${otherColumn} ${operator} ${p}`);
    };
    if (filter.measure !== undefined) both('r.measure_id', 'measure_id', '=', filter.measure);
    if (filter.agency !== undefined) both('r.agency', 'agency', '=', filter.agency);
    if (filter.person !== undefined) both('ret.submitter', 'person', '=', filter.person);
    if (filter.from !== undefined) both('r.recorded_at', 'recorded_at', '>', utc(filter.from));
    if (filter.to !== undefined) both('r.recorded_at', 'recorded_at', '<=', utc(filter.to));
    const kind = filter.kind;
    const figuresOnly = kind === 'reading' || kind === 'correction';
    if (kind === 'reading') figures.push('old.position IS NULL');
    else if (kind === 'correction') figures.push('old.position IS NOT NULL');
    else if (kind !== undefined) others.push(`kind = ${parameter(kind)}`);
    const where = (conditions: string[]) => (conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : '');
    const parts: string[] = [];
    if (kind === undefined || figuresOnly) parts.push(this.figures + where(figures));
    if (!figuresOnly) parts.push(this.others + where(others));
    const text = `${parts.join(' UNION ALL ')} ORDER BY recorded_at DESC, position DESC LIMIT ${parameter(filter.limit ?? AUDIT_LIMIT)}`;
    const { rows } = await this.pool.query<Row>({ text, values });
    // A figure's "was" and "now" come in columns of their own: the entry takes whichever is set.
    return rows.map((r) => auditEntryFrom({ ...r, was: r.was_figure ?? r.was, now: r.now_figure ?? r.now }));
  }

  /** Who recorded each target version, keyed `${targetId}\u001f${version}` (see targetVersionOf). */
  async targetSetters(): Promise<Map<string, string>> {
    const setters = new Map<string, string>();
    for (const line of (await this.pool.query<{ subject: string; what: string; person: string }>(this.targetVersions)).rows) {
      const version = targetVersionOf(line);
      if (version) setters.set(version, line.person);
    }
    return setters;
  }

  close(): Promise<void> {
    return endPool(this.pool);
  }
}
