import type { Catalogue } from '@beacon/catalogue';
import type { ReadModelsConfig } from '@beacon/config';
import type { EventStore } from '@beacon/event-store';
import type { Auth } from '@beacon/http-auth';
import { catchUp, follow } from '@beacon/projector-service';
import { openReadModels } from '@beacon/stores';
import type { FastifyServerOptions } from 'fastify';
import { z } from 'zod';
import { buildWebApp } from './app.js';
import { DEFAULT_CHROMIUM } from './chromium.js';

/** The dashboard's variables, beside the store's. */
export const webVariables = {
  /** 0 takes any free port (the address printed says which). */
  BEACON_WEB_PORT: z.coerce.number().int().min(0).max(65_535).default(8324),
  BEACON_CHROMIUM: z.string().min(1).default(DEFAULT_CHROMIUM),
};

export interface DashboardOptions {
  store: EventStore;
  catalogue: Catalogue;
  /** Who may do what (`createAuth` of @beacon/http-auth, with a session key so people can sign in). */
  auth: Auth;
  /** The read models: a SQLite file, or a schema in PostgreSQL. */
  readModels: ReadModelsConfig;
  port: number;
  closeDay?: number;
  chromium?: string;
  /** The projector following the log stopped (an event it cannot read): pages still show what was projected. */
  onProjectorStopped?: (error: Error) => void;
  logger?: FastifyServerOptions['logger'];
}

export interface Dashboard {
  /** e.g. http://127.0.0.1:8323/ */
  url: string;
  close(): Promise<void>;
}

/**
 * Serves the dashboard on loopback, to people signed in (or API tokens): brings
 * the read models up to date, then follows the log, so returns sent by `beacon ingest` or the
 * returns endpoint show within moments. The caller owns the store.
 */
export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  const { store, catalogue } = options;
  const readModels = await openReadModels(options.readModels);
  try {
    await catchUp(store, readModels.keeper);
  } catch (error) {
    await readModels.close();
    throw error;
  }
  // Projecting is idempotent per event (ReadModels.project passes over what its checkpoint
  // covers), so the follower and an upload's catch-up may both run.
  const subscription = await follow(store, readModels.keeper);
  subscription.closed.catch((error: Error) => options.onProjectorStopped?.(error));
  const app = buildWebApp({
    store,
    catalogue,
    auth: options.auth,
    records: readModels.records,
    audit: readModels.audit,
    bringUpToDate: () => catchUp(store, readModels.keeper),
    ...(options.closeDay && { closeDay: options.closeDay }),
    ...(options.chromium && { chromium: options.chromium }),
    ...(options.logger !== undefined && { logger: options.logger }),
  });
  try {
    const address = await app.listen({ host: '127.0.0.1', port: options.port });
    return {
      url: `${address}/`,
      close: async () => {
        await app.close();
        await subscription.stop();
        await readModels.close();
      },
    };
  } catch (error) {
    await subscription.stop();
    await readModels.close();
    throw error;
  }
}
