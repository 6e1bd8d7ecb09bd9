import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { CatalogueError, loadCatalogue } from '@beacon/catalogue';
import { StoreNotUsable } from '@beacon/event-store';
import { openSqliteEventStore } from '@beacon/event-store-sqlite';
import { ConfigError, configFrom } from './config.js';
import { buildIngestServer } from './server.js';

/** Problems a user can fix: shown as a plain message, without a stack trace. */
const userFacing = [CatalogueError, ConfigError, StoreNotUsable];

async function main(): Promise<void> {
  const config = configFrom(process.env);
  const catalogue = loadCatalogue(config.catalogueDir);
  mkdirSync(dirname(config.sqliteFile), { recursive: true });
  const store = await openSqliteEventStore({ file: config.sqliteFile });
  const server = buildIngestServer({ store, catalogue, maxUploadBytes: config.maxUploadBytes, logger: { level: 'info' } });
  const stop = async () => {
    await server.close();
    await store.close();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  // Loopback only: nothing outside this machine may send returns until sign-in comes.
  const address = await server.listen({ host: '127.0.0.1', port: config.port });
  console.log(`Beacon ingest service listening on ${address} (SQLite file ${config.sqliteFile}); POST ${address}/returns?agency=<id>`);
}

main().catch((error: unknown) => {
  if (userFacing.some((kind) => error instanceof kind)) console.error(`beacon-ingest: ${(error as Error).message}`);
  else console.error('beacon-ingest: unexpected failure', error);
  process.exitCode = 1;
});
