import Fastify, { type FastifyServerOptions } from 'fastify';
import { type QueryApiOptions, queryApiPlugin } from './query-api.js';

/** The projector's HTTP face: the query API and its health. */
export function buildQueryServer(options: QueryApiOptions & { logger?: FastifyServerOptions['logger'] }) {
  const app = Fastify({ logger: options.logger ?? false });
  // Summaries carry bigint-free JSON; positions are sent as strings.
  app.register(queryApiPlugin, { queries: options.queries, health: options.health });
  return app;
}
