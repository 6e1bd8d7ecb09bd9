import type { AuditBook } from '@beacon/read-models';
import Fastify, { type FastifyServerOptions } from 'fastify';
import { auditPlugin } from './audit-api.js';
import { type QueryApiOptions, queryApiPlugin } from './query-api.js';

/** The projector's HTTP face: the query API, the audit trail and its health, each for whom the policy allows. */
export function buildQueryServer(options: QueryApiOptions & { audit: AuditBook; logger?: FastifyServerOptions['logger'] }) {
  const { queries, health, auth, audit, freshForMs } = options;
  const app = Fastify({ logger: options.logger ?? false });
  app.register(auth.plugin);
  app.register(auth.sessionRoutes);
  // Summaries carry bigint-free JSON; positions are sent as strings.
  app.register(queryApiPlugin, { queries, health, auth, ...(freshForMs !== undefined && { freshForMs }) });
  app.register(auditPlugin, { audit, auth });
  return app;
}
