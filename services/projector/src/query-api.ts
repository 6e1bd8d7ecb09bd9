import type { Auth } from '@beacon/http-auth';
import type { Answer, PerformanceQueries } from '@beacon/read-models';
import { MONTH, MONTH_HINT } from '@beacon/periods';
import type { FastifyInstance, FastifyPluginAsync, FastifyReply } from 'fastify';
import { z } from 'zod';

const Month = z.string().regex(MONTH, MONTH_HINT);
const Moment = z.string().min(1).optional();
const Rule = z.enum(['worst', 'majority']).optional();

const SummaryQuery = z.object({ area: z.string().min(1).default('DGCDRP'), period: Month, asAt: Moment, rule: Rule });
const HistoryQuery = z.object({ area: z.string().min(1).default('DGCDRP'), from: Month, to: Month, asAt: Moment });
const ChangesQuery = z.object({ area: z.string().min(1).default('DGCDRP'), period: Month, from: z.string().min(1), to: Moment });

export interface QueryApiOptions {
  queries: PerformanceQueries;
  /** Summaries, histories and changes are for those who may read the summaries; /health is for anyone. */
  auth: Auth;
  /**
   * An answer is given again for this long (default 1,000 ms) even if the projector has moved on
   * meanwhile. While returns pour in the projector moves on many times a second, and every move
   * would otherwise have each viewer wait for the summary to be worked out again. 0: always fresh.
   */
  freshForMs?: number;
  /** Where the projector stands: what /health reports. */
  health: () => Answer<{ status: 'ok' | 'catching up' | 'stopped'; position: string; head?: string; error?: string }>;
}

const KEPT_ANSWERS = 256;

/**
 * The read side over HTTP, for the reporter, the dashboard and anyone with a browser: JSON
 * answers; a bad parameter is a 400 that names it and says how to write it.
 */
export const queryApiPlugin: FastifyPluginAsync<QueryApiOptions> = async (app: FastifyInstance, { queries, health, auth, freshForMs = 1_000 }) => {
  const parse = <T extends z.ZodType>(schema: T, input: unknown): z.infer<T> => {
    const parsed = schema.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw Object.assign(new Error(`${issue.path.join('.') || 'query'}: ${issue.message}`), { statusCode: 400 });
    }
    return parsed.data;
  };
  // Kept as the JSON sent: a summary is some 200 KB of it, and writing that again for each viewer costs more than working it out.
  const recent = new Map<string, { at: number; json: string }>();
  const answering = async (reply: FastifyReply, url: string, work: () => Promise<unknown>) => {
    const now = Date.now();
    let kept = recent.get(url);
    try {
      if (!kept || now - kept.at >= freshForMs) {
        kept = { at: now, json: JSON.stringify(await work()) };
        if (freshForMs > 0) {
          if (recent.size >= KEPT_ANSWERS) recent.delete(recent.keys().next().value as string);
          recent.set(url, kept);
        }
      }
      return reply.type('application/json; charset=utf-8').send(kept.json);
    } catch (error) {
      // Unknown areas, measures and malformed dates are the asker's to fix.
      if (error instanceof RangeError) throw Object.assign(new Error(error.message), { statusCode: 400 });
      throw error;
    }
  };

  app.get('/health', async () => health());
  const readers = { preHandler: auth.requires('read-summary') };
  app.get('/summary', readers, async (request, reply) => {
    const q = parse(SummaryQuery, request.query);
    return answering(reply, request.url, () => queries.summary({ area: q.area, period: q.period, ...(q.asAt && { asAt: q.asAt }), ...(q.rule && { rule: q.rule }) }));
  });
  app.get('/measures/:measureId/history', readers, async (request, reply) => {
    const q = parse(HistoryQuery, request.query);
    const { measureId } = request.params as { measureId: string };
    return answering(reply, request.url, () => queries.history({ measureId, area: q.area, from: q.from, to: q.to, ...(q.asAt && { asAt: q.asAt }) }));
  });
  app.get('/changes', readers, async (request, reply) => {
    const q = parse(ChangesQuery, request.query);
    return answering(reply, request.url, () => queries.changes({ area: q.area, period: q.period, from: q.from, ...(q.to && { to: q.to }) }));
  });
};
