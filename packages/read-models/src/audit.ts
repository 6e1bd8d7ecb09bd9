import type { Period } from '@beacon/catalogue';
import type { BeaconEvent, EventData } from '@beacon/events';
import type Database from 'better-sqlite3';
import { utc } from './projection.js';
import type { AuditBook } from './record-book.js';

/**
 * The audit trail: who changed a figure or a target, when, from what to what; and who opened,
 * closed or was refused what. Figures are audited straight from the readings and returns tables
 * (a return's sender, each reading, and the reading a correction replaced); everything else from
 * the audit_trail table the projector fills from the account and target events.
 */

type Value = string | number | null;

export type AuditKind = 'reading' | 'correction' | 'target' | 'account' | 'token' | 'password' | 'access-refused';
export const auditKinds: readonly AuditKind[] = ['reading', 'correction', 'target', 'account', 'token', 'password', 'access-refused'];

export interface AuditEntry {
  recordedAt: string;
  kind: AuditKind;
  /** Who did it (a Beacon user name, or "catalogue" for figures loaded from it); for a refusal, who tried. */
  person: string;
  agency: string | null;
  measure: string | null;
  area: string | null;
  period: Period | null;
  was: string | number | null;
  now: string | number | null;
  what: string;
  /** Where a figure came from: its return and row as the spreadsheet numbers it. */
  returnId: string | null;
  row: number | null;
}

export interface AuditFilter {
  measure?: string;
  agency?: string;
  person?: string;
  kind?: AuditKind;
  /** Recorded after this moment (ISO 8601). */
  from?: string;
  /** Recorded at or before this moment (ISO 8601). */
  to?: string;
  /** Newest first; at most this many (default 1,000). */
  limit?: number;
}

export const AUDIT_LIMIT = 1_000;

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * A filter's bounds as a person gives them: a date (YYYY-MM-DD) covers its whole day (UTC), so
 * "from" becomes the end of the day before (the filter takes what was recorded after it) and
 * "to" the day's last millisecond; an ISO time is that moment.
 */
export function auditBounds(from: string | undefined, to: string | undefined): Pick<AuditFilter, 'from' | 'to'> {
  return {
    ...(from && { from: DATE.test(from) ? new Date(Date.parse(`${from}T00:00:00.000Z`) - 1).toISOString() : from }),
    ...(to && { to: DATE.test(to) ? `${to}T23:59:59.999Z` : to }),
  };
}

const roleWords: Record<string, string> = {
  'data-officer': 'data officer',
  analyst: 'analyst',
  'strategy-group-viewer': 'strategy group viewer',
  'feed-consumer': 'feed consumer',
  administrator: 'administrator',
};

function toleranceText(tolerance: EventData<'TargetSet'>['tolerance']): string {
  if (!tolerance) return '';
  return tolerance.type === 'relative' ? `, Amber within ${Math.round(tolerance.value * 1000) / 10}%` : `, Amber within ${tolerance.value}`;
}

/** Values of an audit_trail row, in the order of the projector's statement (subject twice: the second finds "was"). */
const row = (e: { recordedAt: string }, kind: AuditKind, subject: string, person: string, about: Partial<Record<'agency' | 'measure' | 'area', string | undefined>>, period: Period | undefined, now: string | null, what: string): Value[] => [
  utc(e.recordedAt),
  kind,
  subject,
  person,
  about.agency ?? null,
  about.measure ?? null,
  about.area ?? null,
  period?.start ?? null,
  period?.end ?? null,
  subject,
  now,
  what,
];

/** A target version's line: its value (or direction) and tolerance, and what the version before said. */
export function targetAudit(e: EventData<'TargetSet'>): Value[] {
  const now = `${e.target.kind === 'value' ? e.target.value : e.target.direction}${toleranceText(e.tolerance)}`;
  const what = `target ${e.targetId} version ${e.version} (${e.source})${e.note ? `: ${e.note}` : ''}`;
  return row(e, 'target', `target:${e.targetId}`, e.actor.id, { agency: e.actor.agency, measure: e.measureId, area: e.area }, e.period, now, what);
}

type AccountEvent = Extract<BeaconEvent, { type: 'AccountOpened' | 'PasswordSet' | 'ApiTokenIssued' | 'TokenRevoked' | 'AccountClosed' | 'AccessRefused' }>;

/** The audit line of an account, token, password or refusal event. Secrets never reach it: only the token's prefix. */
export function auditOfAccountEvent(event: AccountEvent): Value[] {
  switch (event.type) {
    case 'AccountOpened': {
      const e = event.data;
      const now = `open: ${roleWords[e.role]}${e.agency ? ` of ${e.agency}` : ''}`;
      return row(e, 'account', `account:${e.accountId}`, e.actor.id, { agency: e.agency }, undefined, now, `account ${e.accountId} (${e.name}, a ${e.kind}) opened`);
    }
    case 'PasswordSet': {
      const e = event.data;
      return row(e, 'password', `password:${e.accountId}`, e.actor.id, {}, undefined, 'set', `password of ${e.accountId} set`);
    }
    case 'ApiTokenIssued': {
      const e = event.data;
      return row(e, 'token', `token:${e.tokenId}`, e.actor.id, {}, undefined, 'in use', `token ${e.tokenId} issued to ${e.accountId}${e.label ? ` (${e.label})` : ''}`);
    }
    case 'TokenRevoked': {
      const e = event.data;
      return row(e, 'token', `token:${e.tokenId}`, e.actor.id, {}, undefined, 'revoked', `token ${e.tokenId} of ${e.accountId} revoked${e.reason ? `: ${e.reason}` : ''}`);
    }
    case 'AccountClosed': {
      const e = event.data;
      return row(e, 'account', `account:${e.accountId}`, e.actor.id, {}, undefined, 'closed', `account ${e.accountId} closed${e.reason ? `: ${e.reason}` : ''}`);
    }
    case 'AccessRefused': {
      const e = event.data;
      const { attempt } = e;
      const who = attempt.accountId ?? (attempt.tokenId ? `token ${attempt.tokenId}` : 'anonymous');
      const more = e.alsoRefused ? `; and ${e.alsoRefused} more refusals from this address, counted but not recorded one by one` : '';
      const what = `${e.status}: ${e.action} refused (${e.reason}); ${attempt.method} ${attempt.path} from ${attempt.remoteAddress} with ${attempt.credential === 'none' ? 'no credential' : `a ${attempt.credential}${attempt.tokenId ? ` ${attempt.tokenId}` : ''}`}${more}`;
      // A refusal changes nothing: it has no "was" and no "now".
      return row(e, 'access-refused', 'refusal', who, e.resource ?? {}, undefined, null, what);
    }
  }
}

type Row = Record<string, unknown>;

const FIGURES = `
  SELECT r.recorded_at AS recorded_at, r.position AS position,
         CASE WHEN old.position IS NULL THEN 'reading' ELSE 'correction' END AS kind,
         ret.submitter AS person, r.agency AS agency, r.measure_id AS measure_id, r.area AS area,
         r.period_start AS period_start, r.period_end AS period_end, old.value AS was, r.value AS now,
         'row ' || r.row || ' of ' || ret.file_name AS what, r.return_id AS return_id, r.row AS row
  FROM readings AS r JOIN returns AS ret ON ret.return_id = r.return_id
  LEFT JOIN readings AS old
    ON old.measure_id = r.measure_id AND old.area = r.area AND old.period_start = r.period_start
   AND old.superseded_by_return = r.return_id AND old.superseded_by_row = r.row`;

const OTHERS = `
  SELECT recorded_at, position, kind, person, agency, measure_id, area, period_start, period_end, was, now, what,
         NULL AS return_id, NULL AS row
  FROM audit_trail`;

/** Queries of the audit trail in SQLite, newest first. */
export class AuditTrail implements AuditBook {
  /** One prepared statement per combination of filters (there are few). */
  private readonly statements = new Map<string, Database.Statement>();

  constructor(private readonly db: Database.Database) {}

  targetSetters(): Map<string, string> {
    const setBy = new Map<string, string>();
    const rows = this.db.prepare("SELECT subject, person, what FROM audit_trail WHERE kind = 'target'").all() as { subject: string; person: string; what: string }[];
    for (const row of rows) {
      const version = targetVersionOf(row);
      if (version) setBy.set(version, row.person);
    }
    return setBy;
  }

  entries(filter: AuditFilter = {}): AuditEntry[] {
    const figures: string[] = [];
    const others: string[] = [];
    const figureParameters: Value[] = [];
    const otherParameters: Value[] = [];
    const both = (figureCondition: string, otherCondition: string, value: Value) => {
      figures.push(figureCondition);
      figureParameters.push(value);
      others.push(otherCondition);
      otherParameters.push(value);
    };
    if (filter.measure !== undefined) both('r.measure_id = ?', 'measure_id = ?', filter.measure);
    if (filter.agency !== undefined) both('r.agency = ?', 'agency = ?', filter.agency);
    if (filter.person !== undefined) both('ret.submitter = ?', 'person = ?', filter.person);
    if (filter.from !== undefined) both('r.recorded_at > ?', 'recorded_at > ?', utc(filter.from));
    if (filter.to !== undefined) both('r.recorded_at <= ?', 'recorded_at <= ?', utc(filter.to));
    const kind = filter.kind;
    if (kind === 'reading') figures.push('old.position IS NULL');
    if (kind === 'correction') figures.push('old.position IS NOT NULL');
    if (kind !== undefined) {
      others.push('kind = ?');
      otherParameters.push(kind);
    }
    const where = (conditions: string[]) => (conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : '');
    const parts: string[] = [];
    const parameters: Value[] = [];
    if (kind === undefined || kind === 'reading' || kind === 'correction') {
      parts.push(FIGURES + where(figures));
      parameters.push(...figureParameters);
    }
    if (kind !== 'reading' && kind !== 'correction') {
      parts.push(OTHERS + where(others));
      parameters.push(...otherParameters);
    }
    const sql = `${parts.join(' UNION ALL ')} ORDER BY recorded_at DESC, position DESC LIMIT ?`;
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return (statement.all(...parameters, filter.limit ?? AUDIT_LIMIT) as Row[]).map(auditEntryFrom);
  }
}

/** An entry from a row of the audit trail's query (its columns as FIGURES and OTHERS name them). */
export function auditEntryFrom(r: Row): AuditEntry {
  return {
    recordedAt: r.recorded_at as string,
    kind: r.kind as AuditKind,
    person: r.person as string,
    agency: r.agency as string | null,
    measure: r.measure_id as string | null,
    area: r.area as string | null,
    period: r.period_start === null ? null : { start: r.period_start as string, end: r.period_end as string },
    was: r.was as string | number | null,
    now: r.now as string | number | null,
    what: r.what as string,
    returnId: r.return_id as string | null,
    row: r.row as number | null,
  };
}

/**
 * Which target version an audit line of kind 'target' records, as `${targetId}\u001f${version}`:
 * its subject is "target:<id>" and its words begin "target <id> version <n>".
 */
export function targetVersionOf(line: { subject: string; what: string }): string | undefined {
  const id = line.subject.slice('target:'.length);
  const prefix = `target ${id} version `;
  return line.what.startsWith(prefix) ? `${id}\u001f${Number.parseInt(line.what.slice(prefix.length), 10)}` : undefined;
}

/**
 * A text cell a spreadsheet would take for a formula (= + - @, or a tab or carriage return that
 * some programs skip before one) gets a leading ', so it is shown and never run.
 */
export const neutralised = (text: string) => (/^[=+\-@\t\r]/.test(text) ? `'${text}` : text);

const csvCell = (value: string | number | null): string => {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  const text = neutralised(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
};

const AUDIT_COLUMNS = ['recorded_at', 'kind', 'person', 'agency', 'measure', 'area', 'period_start', 'period_end', 'was', 'now', 'what', 'return_id', 'row'];

/** The entries as CSV (UTF-8 with BOM and CRLF, as Excel opens it without asking). */
export function auditCsv(entries: readonly AuditEntry[]): string {
  const lines = [AUDIT_COLUMNS.join(',')];
  for (const e of entries) {
    lines.push(
      [e.recordedAt, e.kind, e.person, e.agency, e.measure, e.area, e.period?.start ?? null, e.period?.end ?? null, e.was, e.now, e.what, e.returnId, e.row].map(csvCell).join(','),
    );
  }
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
