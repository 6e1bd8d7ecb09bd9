import type { Catalogue } from '@beacon/catalogue';
import type { EventStore } from '@beacon/event-store';
import { keepReadingsOnRecord, type ReadingsOnRecord } from '@beacon/return-intake';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { returnsPlugin } from './returns-plugin.js';

export interface IngestServerOptions {
  store: EventStore;
  catalogue: Catalogue;
  /** Default: kept in memory and brought up to date from the store's log (keepReadingsOnRecord of @beacon/return-intake). */
  readingsOnRecord?: () => Promise<ReadingsOnRecord>;
  maxUploadBytes?: number;
  logger?: FastifyServerOptions['logger'];
}

/** The ingest service's HTTP server, not yet listening. The caller owns the store. */
export function buildIngestServer(options: IngestServerOptions): FastifyInstance {
  const { store, catalogue, maxUploadBytes, logger = false } = options;
  const app = Fastify({ logger });
  app.register(returnsPlugin, { store, catalogue, maxUploadBytes, readingsOnRecord: options.readingsOnRecord ?? keepReadingsOnRecord(store) });
  return app;
}
