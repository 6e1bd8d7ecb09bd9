import type { Auth } from '@beacon/http-auth';
import { type AuditBook, auditBounds, auditCsv, auditKinds } from '@beacon/read-models';
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';

/** A date means the whole day (see auditBounds); an ISO time means that moment. */
const Moment = z
  .string()
  .refine((text) => !Number.isNaN(Date.parse(text)), 'a date (YYYY-MM-DD) or an ISO 8601 time')
  .optional();

const AuditQuery = z.object({
  measure: z.string().min(1).max(100).optional(),
  agency: z.string().min(1).max(100).optional(),
  person: z.string().min(1).max(100).optional(),
  kind: z.enum(auditKinds as [string, ...string[]]).optional(),
  from: Moment,
  to: Moment,
  limit: z.coerce.number().int().min(1).max(100_000).optional(),
  format: z.enum(['json', 'csv']).default('json'),
});

/**
 * `GET /audit`: who changed which figure or target, when, from what to what; who opened, closed or
 * was refused what. Newest first, filtered by measure, agency, person, kind and time, as JSON or
 * as CSV for a spreadsheet (`format=csv`; cells that would run as formulas are neutralised).
 */
export const auditPlugin: FastifyPluginAsync<{ audit: AuditBook; auth: Auth }> = async (app, { audit, auth }) => {
  app.get('/audit', { preHandler: auth.requires('read-audit') }, async (request, reply) => {
    const parsed = AuditQuery.safeParse(request.query);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return reply.code(400).send({ status: 'bad-request', message: `${issue?.path.join('.') || 'query'}: ${issue?.message}` });
    }
    const { format, kind, from, to, ...filter } = parsed.data;
    const entries = await audit.entries({ ...filter, ...auditBounds(from, to), ...(kind && { kind: kind as (typeof auditKinds)[number] }) });
    reply.header('cache-control', 'no-store');
    if (format === 'json') return { entries };
    return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="beacon-audit.csv"').send(auditCsv(entries));
  });
};
