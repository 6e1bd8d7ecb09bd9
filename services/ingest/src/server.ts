import type { Catalogue } from '@beacon/catalogue';
import type { EventStore } from '@beacon/event-store';
import { accountsPlugin, type Auth, createAuth } from '@beacon/http-auth';
import { keepReadingsOnRecord, type ReadingsOnRecord } from '@beacon/return-intake';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { returnsPlugin } from './returns-plugin.js';
import { targetsPlugin } from './targets-plugin.js';

export interface IngestServerOptions {
  store: EventStore;
  catalogue: Catalogue;
  /** Who may do what. Default: accounts and refusals in `store`, API tokens only (no session key). */
  auth?: Auth;
  /** Default: kept in memory and brought up to date from the store's log (keepReadingsOnRecord of @beacon/return-intake). */
  readingsOnRecord?: () => Promise<ReadingsOnRecord>;
  maxUploadBytes?: number;
  maxRowsPerReturn?: number;
  maxWorkbookBytes?: number;
  uploadsPerMinute?: number;
  logger?: FastifyServerOptions['logger'];
}

/**
 * The ingest service's HTTP server, not yet listening: returns from data officers, targets from
 * analysts, accounts for administrators, and sign-in when the auth has a session key. The caller
 * owns the store.
 */
export function buildIngestServer(options: IngestServerOptions): FastifyInstance {
  const { store, catalogue, logger = false } = options;
  const auth = options.auth ?? createAuth({ store, catalogue });
  const app = Fastify({ logger });
  app.register(auth.plugin);
  app.register(auth.sessionRoutes);
  app.register(returnsPlugin, {
    store,
    catalogue,
    auth,
    readingsOnRecord: options.readingsOnRecord ?? keepReadingsOnRecord(store),
    maxUploadBytes: options.maxUploadBytes,
    maxRowsPerReturn: options.maxRowsPerReturn,
    maxWorkbookBytes: options.maxWorkbookBytes,
    uploadsPerMinute: options.uploadsPerMinute,
  });
  app.register(targetsPlugin, { store, catalogue, auth });
  app.register(accountsPlugin, { auth });
  return app;
}
