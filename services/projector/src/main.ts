import { ensureFirstAdministrator, firstAdministratorText } from '@beacon/accounts';
import { CatalogueError, loadCatalogue } from '@beacon/catalogue';
import { StoreNotUsable, StoreUnavailable } from '@beacon/event-store';
import { openEventStore, openReadModels } from '@beacon/stores';
import { createAuth, sessionKeyFrom } from '@beacon/http-auth';
import { PerformanceQueries, ProjectionStopped, ReadModelsNotUsable } from '@beacon/read-models';
import { ConfigError, configFrom } from './config.js';
import { follow, rebuild } from './projector.js';
import { buildQueryServer } from './server.js';

/** Problems a user can fix: shown as a plain message, without a stack trace. */
const userFacing = [CatalogueError, ConfigError, StoreNotUsable, StoreUnavailable, ReadModelsNotUsable, ProjectionStopped];

/**
 * beacon-projector            follow the event log into the read models and serve the query API
 * beacon-projector rebuild    replay the whole log into fresh read models (stop the projector first)
 */
async function main(argv: string[]): Promise<void> {
  const config = configFrom(process.env);
  const catalogue = loadCatalogue(config.catalogueDir);
  const { store, location } = await openEventStore(config.store);

  if (argv[0] === 'rebuild') {
    const started = performance.now();
    const position = await rebuild(store, config.readModels, {
      readerThread: config.store,
      onProgress: ({ position, head }) => process.stderr.write(`\rrebuilding: ${position} of ${head} events`),
    });
    await store.close();
    console.log(`\nRead models rebuilt to position ${position} in ${((performance.now() - started) / 1000).toFixed(1)} s.`);
    return;
  }

  // Whichever service starts first on a store without accounts makes the administrator, once.
  const first = await ensureFirstAdministrator(store);
  if (first) for (const line of firstAdministratorText(first)) console.log(line);
  const readModels = await openReadModels(config.readModels);
  const queries = new PerformanceQueries(readModels.records, catalogue);
  let state: { status: 'ok' | 'stopped'; error?: string } = { status: 'ok' };
  const subscription = await follow(store, readModels.keeper);
  subscription.closed.catch((error: Error) => {
    state = { status: 'stopped', error: error.message };
    console.error(`beacon-projector: ${error.message}`);
    process.exitCode = 1;
  });
  const server = buildQueryServer({
    queries,
    audit: readModels.audit,
    auth: createAuth({ store, catalogue, sessionKey: sessionKeyFrom(config.sessionKeyFile) }),
    logger: { level: 'info' },
    health: async () => ({ ...state, position: String(await readModels.keeper.checkpoint()) }),
  });
  const stop = async () => {
    await subscription.stop();
    await server.close();
    await readModels.close();
    await store.close();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const address = await server.listen({ host: '127.0.0.1', port: config.port });
  console.log(`Beacon projector following ${location} into ${readModels.location}; query API on ${address} (GET /summary?period=2009-03)`);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (userFacing.some((kind) => error instanceof kind)) console.error(`beacon-projector: ${(error as Error).message}`);
  else console.error('beacon-projector: unexpected failure', error);
  process.exitCode = 1;
});
