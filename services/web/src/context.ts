import type { Catalogue } from '@beacon/catalogue';
import type { RollUpRule } from '@beacon/progress';
import { asAtMoment, type PerformanceQueries, type RecordBook } from '@beacon/read-models';
import type { ReturnOnRecord } from '@beacon/reports';
import { MONTH, MONTH_HINT } from '@beacon/periods';
import { z } from 'zod';

/** What every page reads from: the catalogue and the read models, never the event log. */
export interface DashboardContext {
  catalogue: Catalogue;
  queries: PerformanceQueries;
  lookups: Lookups;
}

/** A request the asker can put right: answered with a page that says what to change. */
export class PageProblem extends Error {
  override readonly name = 'PageProblem';
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The two small questions the dashboard asks the read models beyond the query API: which months
 * have data (for the month picker and the default month) and one return by id (after an upload).
 * Answers are remembered until the projector moves on.
 */
export class Lookups {
  private readonly spans = new Map<string, { first: string; last: string } | undefined>();
  private spansAt = -1n;

  constructor(private readonly records: RecordBook) {}

  /** The first and last month ends with readings recorded by `asAt` (undefined: nothing yet). */
  async span(asAt: string | undefined): Promise<{ first: string; last: string } | undefined> {
    const checkpoint = await this.records.checkpoint();
    if (checkpoint !== this.spansAt) {
      this.spans.clear();
      this.spansAt = checkpoint;
    }
    const key = asAt ?? 'now';
    if (!this.spans.has(key)) {
      this.spans.set(key, await this.records.span(asAtMoment(asAt)));
    }
    return this.spans.get(key);
  }

  returnById(returnId: string): Promise<ReturnOnRecord | undefined> | ReturnOnRecord | undefined {
    return this.records.returnById(returnId);
  }
}

// Forms send empty fields as "": the same as leaving them out.
const blank = (value: unknown) => (value === '' ? undefined : value);
const optional = <T extends z.ZodType>(schema: T) => z.preprocess(blank, schema.optional());
const Month = z.string().regex(MONTH, MONTH_HINT);
/** A date from the picker, or an ISO 8601 time for a precise moment. */
export const Moment = z.string().regex(/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/, 'write a date as YYYY-MM-DD, e.g. 2009-04-15');

const ViewQuery = z.object({
  area: optional(z.string().min(1)),
  period: optional(Month),
  asAt: optional(Moment),
  rule: optional(z.enum(['worst', 'majority'], 'the rule is worst or majority')),
});

/** The choices every page shares: area, month, moment and roll-up rule, with defaults filled in. */
export interface View {
  area: string;
  /** "2011-03" */
  period: string;
  asAt: string | undefined;
  rule: RollUpRule | undefined;
  /** Months that have data, newest first, for the picker. */
  months: string[];
}

export function parseQuery<T extends z.ZodType>(schema: T, query: unknown): z.infer<T> {
  const parsed = schema.safeParse(query);
  if (parsed.success) return parsed.data;
  throw new PageProblem(400, parsed.error.issues.map((issue) => `${issue.path.join('.') || 'query'}: ${issue.message}`).join('; '));
}

/** Every month from `first` to `last` ("YYYY-MM-DD"), newest first, as "YYYY-MM". */
function monthsBetween(first: string, last: string): string[] {
  const months: string[] = [];
  let [year, month] = [Number(last.slice(0, 4)), Number(last.slice(5, 7))];
  const stop = first.slice(0, 7);
  for (;;) {
    const text = `${year}-${String(month).padStart(2, '0')}`;
    if (text < stop) break;
    months.push(text);
    if (--month === 0) [year, month] = [year - 1, 12];
  }
  return months;
}

/** The view a request asks for: the partnership and the latest month with data unless it says otherwise. */
export async function viewOf(context: DashboardContext, query: unknown): Promise<View> {
  const q = parseQuery(ViewQuery, query);
  const { catalogue } = context;
  const area = q.area ?? catalogue.areas.find((a) => a.kind === 'partnership')?.id ?? catalogue.areas[0]?.id;
  if (!area || !catalogue.area(area)) throw new PageProblem(404, `There is no area "${q.area}". Areas: ${catalogue.areas.map((a) => a.id).join(', ')}.`);
  try {
    const span = await context.lookups.span(q.asAt);
    const months = span ? monthsBetween(span.first, span.last) : [];
    const period = q.period ?? months[0] ?? new Date().toISOString().slice(0, 7);
    return { area, period, asAt: q.asAt, rule: q.rule, months };
  } catch (error) {
    if (error instanceof RangeError) throw new PageProblem(400, error.message);
    throw error;
  }
}

/** The query that shows `view` again, for links that keep the area, month, moment and rule. */
export const viewQuery = (view: View, extra: Record<string, string | undefined> = {}) => ({
  area: view.area,
  period: view.period,
  asAt: view.asAt,
  rule: view.rule,
  ...extra,
});
