import type { Catalogue } from '@beacon/catalogue';
import type { RollUpRule } from '@beacon/progress';
import { monthEndFrom } from '@beacon/periods';
import { type Changes, type CorrectionOnRecord, changesBetween, lookBackWindow, type MeasureHistory, measureHistory, type RecordsAsAt, scopeOf, type Summary, summaryFor } from '@beacon/reports';
import { utc } from './projection.js';
import type { RecordBook } from './record-book.js';
import { END_OF_TIME } from './records.js';

/** "2009-03" or a date in March 2009 → 2009-03-31. */
export function monthEndOfPeriod(period: string): string {
  const match = /^(\d{4})-(\d{2})(?:-\d{2})?$/.exec(period);
  if (!match || Number(match[2]) < 1 || Number(match[2]) > 12) throw new RangeError(`period "${period}" is not a month: write it as YYYY-MM, e.g. 2009-03`);
  return monthEndFrom(`${match[1]}-${match[2]}-01`, 0);
}

/** An "as at" moment as typed by a person: a date means the end of that day (UK time is not assumed: UTC). */
export function asAtMoment(asAt: string | undefined): string | undefined {
  if (asAt === undefined || asAt === '') return undefined;
  const moment = /^\d{4}-\d{2}-\d{2}$/.test(asAt) ? `${asAt}T23:59:59.999Z` : asAt;
  if (Number.isNaN(Date.parse(moment))) throw new RangeError(`"as at" ${JSON.stringify(asAt)} is not a date or time: write it as YYYY-MM-DD or an ISO 8601 time`);
  return utc(moment);
}

const CACHE_SIZE = 64;

type Revisions = CorrectionOnRecord[];

/**
 * The query API the reporter and the dashboard use: summaries per priority area and PSA, one
 * measure's history, and what changed between two moments, each "as at" any moment. Reports are
 * worked out from the records when asked (so "as at" is exact), and remembered until the
 * projector moves on. The records may be in SQLite or PostgreSQL: the reports themselves are
 * pure, made from the records read for their scope.
 */
export class PerformanceQueries {
  /** Reports being made or made, as promises: viewers asking at once for the same one share it. */
  private readonly cache = new Map<string, Promise<unknown>>();
  private cachedAt = -1n;
  private readonly measureIds: readonly string[];

  constructor(
    readonly records: RecordBook,
    readonly catalogue: Catalogue,
  ) {
    this.measureIds = catalogue.measures.map((m) => m.id);
  }

  private async remembered<T>(key: string, work: () => Promise<T>): Promise<T> {
    const checkpoint = await this.records.checkpoint();
    if (checkpoint !== this.cachedAt) {
      this.cache.clear();
      this.cachedAt = checkpoint;
    }
    let value = this.cache.get(key) as Promise<T> | undefined;
    if (!value) {
      value = work();
      if (this.cache.size >= CACHE_SIZE) this.cache.delete(this.cache.keys().next().value as string);
      this.cache.set(key, value);
      // A failure is not remembered: the next request tries again.
      value.catch(() => this.cache.get(key) === value && this.cache.delete(key));
    }
    return value;
  }

  /**
   * The records as at a moment for reports on an area (a partnership's reports read its members
   * too) at dates from `first` to `last`: what they read goes back the look-back window from `first`.
   */
  private async recordsAsAt(asAt: string | undefined, area: string, first: string, last = first): Promise<RecordsAsAt> {
    return this.records.asAt(asAt, { measureIds: this.measureIds, areas: areasOf(this.catalogue, area), window: { start: lookBackWindow(first).start, end: last } });
  }

  /** The priority areas and PSAs for an area and month ("2009-03"), as at a moment. */
  summary(input: { area: string; period: string; asAt?: string; rule?: RollUpRule }): Promise<Summary & { revisions: Revisions }> {
    const date = monthEndOfPeriod(input.period);
    const asAt = asAtMoment(input.asAt);
    return this.remembered(`summary|${input.area}|${date}|${asAt}|${input.rule}`, async () => {
      const records = await this.recordsAsAt(asAt, input.area, date);
      const summary = summaryFor({ catalogue: this.catalogue, records, area: input.area, date, ...(input.rule && { rule: input.rule }) });
      // What was corrected after that moment, in what the summary showed: its revisions.
      const revisions =
        asAt === undefined ? [] : (await this.records.correctionsBetween(asAt, END_OF_TIME, asAt)).filter((c) => c.period.end <= date && areasOf(this.catalogue, input.area).includes(c.area));
      return { ...summary, revisions };
    });
  }

  /** One measure's history for an area, month by month between two months. */
  history(input: { measureId: string; area: string; from: string; to: string; asAt?: string }): Promise<MeasureHistory> {
    const from = monthEndOfPeriod(input.from);
    const to = monthEndOfPeriod(input.to);
    const asAt = asAtMoment(input.asAt);
    return this.remembered(`history|${input.measureId}|${input.area}|${from}|${to}|${asAt}`, async () =>
      measureHistory({ catalogue: this.catalogue, records: await this.recordsAsAt(asAt, input.area, from, to), measureId: input.measureId, area: input.area, from, to }),
    );
  }

  /** What changed for an area and month between two moments: statuses moved, corrections, returns received, readings overdue. */
  async changes(input: { area: string; period: string; from: string; to?: string }): Promise<Changes> {
    const from = asAtMoment(input.from) as string;
    const to = asAtMoment(input.to) ?? new Date().toISOString();
    const [before, after, corrections, returns] = await Promise.all([
      this.summary({ area: input.area, period: input.period, asAt: from }),
      this.summary({ area: input.area, period: input.period, asAt: to }),
      this.records.correctionsBetween(from, to),
      this.records.returnsBetween(from, to),
    ]);
    return changesBetween({ catalogue: this.catalogue, before, after, corrections, returns });
  }
}

/** An area and, for a partnership, its boroughs: what the area's reports read and revise. */
function areasOf(catalogue: Catalogue, id: string): string[] {
  const area = catalogue.area(id);
  return [id, ...((area && scopeOf(area).members) ?? [])];
}
