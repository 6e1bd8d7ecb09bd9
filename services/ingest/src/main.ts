import { ensureFirstAdministrator, firstAdministratorText } from '@beacon/accounts';
import { CatalogueError, loadCatalogue } from '@beacon/catalogue';
import { StoreNotUsable, StoreUnavailable } from '@beacon/event-store';
import { createAuth, sessionKeyFrom } from '@beacon/http-auth';
import { openEventStore } from '@beacon/stores';
import { ConfigError, configFrom } from './config.js';
import { buildIngestServer } from './server.js';

/** Problems a user can fix: shown as a plain message, without a stack trace. */
const userFacing = [CatalogueError, ConfigError, StoreNotUsable, StoreUnavailable];

async function main(): Promise<void> {
  const config = configFrom(process.env);
  const catalogue = loadCatalogue(config.catalogueDir);
  const { store, location } = await openEventStore(config.store);
  const first = await ensureFirstAdministrator(store);
  if (first) for (const line of firstAdministratorText(first)) console.log(line);
  const auth = createAuth({ store, catalogue, sessionKey: sessionKeyFrom(config.sessionKeyFile) });
  const { maxUploadBytes, maxRowsPerReturn, maxWorkbookBytes, uploadsPerMinute } = config;
  const server = buildIngestServer({ store, catalogue, auth, maxUploadBytes, maxRowsPerReturn, maxWorkbookBytes, uploadsPerMinute, logger: { level: 'info' } });
  const stop = async () => {
    await server.close();
    await store.close();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  // Loopback by default: put a TLS-terminating proxy in front before opening it wider (see README).
  const address = await server.listen({ host: '127.0.0.1', port: config.port });
  console.log(`Beacon ingest service listening on ${address} (${location}); POST ${address}/returns?agency=<id> with "Authorization: Bearer <token>"`);
}

main().catch((error: unknown) => {
  if (userFacing.some((kind) => error instanceof kind)) console.error(`beacon-ingest: ${(error as Error).message}`);
  else console.error('beacon-ingest: unexpected failure', error);
  process.exitCode = 1;
});
