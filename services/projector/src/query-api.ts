import type { PerformanceQueries } from '@beacon/read-models';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { z } from 'zod';

const Month = z.string().regex(/^\d{4}-\d{2}$/, 'a month written YYYY-MM, e.g. 2009-03');
const Moment = z.string().min(1).optional();
const Rule = z.enum(['worst', 'majority']).optional();

const SummaryQuery = z.object({ area: z.string().min(1).default('DGCDRP'), period: Month, asAt: Moment, rule: Rule });
const HistoryQuery = z.object({ area: z.string().min(1).default('DGCDRP'), from: Month, to: Month, asAt: Moment });
const ChangesQuery = z.object({ area: z.string().min(1).default('DGCDRP'), period: Month, from: z.string().min(1), to: Moment });

export interface QueryApiOptions {
  queries: PerformanceQueries;
  /** Where the projector stands: what /health reports. */
  health: () => { status: 'ok' | 'catching up' | 'stopped'; position: string; head?: string; error?: string };
}

/**
 * The read side over HTTP, for the reporter, the dashboard and anyone with a browser: JSON
 * answers; a bad parameter is a 400 that names it and says how to write it.
 */
export const queryApiPlugin: FastifyPluginAsync<QueryApiOptions> = async (app: FastifyInstance, { queries, health }) => {
  const parse = <T extends z.ZodType>(schema: T, input: unknown): z.infer<T> => {
    const parsed = schema.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw Object.assign(new Error(`${issue.path.join('.') || 'query'}: ${issue.message}`), { statusCode: 400 });
    }
    return parsed.data;
  };
  const answering = <T>(work: () => T): T => {
    try {
      return work();
    } catch (error) {
      // Unknown areas, measures and malformed dates are the asker's to fix.
      if (error instanceof RangeError) throw Object.assign(new Error(error.message), { statusCode: 400 });
      throw error;
    }
  };

  app.get('/health', async () => health());
  app.get('/summary', async (request) => {
    const q = parse(SummaryQuery, request.query);
    return answering(() => queries.summary({ area: q.area, period: q.period, ...(q.asAt && { asAt: q.asAt }), ...(q.rule && { rule: q.rule }) }));
  });
  app.get('/measures/:measureId/history', async (request) => {
    const q = parse(HistoryQuery, request.query);
    const { measureId } = request.params as { measureId: string };
    return answering(() => queries.history({ measureId, area: q.area, from: q.from, to: q.to, ...(q.asAt && { asAt: q.asAt }) }));
  });
  app.get('/changes', async (request) => {
    const q = parse(ChangesQuery, request.query);
    return answering(() => queries.changes({ area: q.area, period: q.period, from: q.from, ...(q.to && { to: q.to }) }));
  });
};
