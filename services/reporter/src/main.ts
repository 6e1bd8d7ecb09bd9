import { CatalogueError, loadCatalogue } from '@beacon/catalogue';
import { StoreNotUsable, StoreUnavailable } from '@beacon/event-store';
import { openOutbox } from '@beacon/feed-publisher';
import { openEventStore, openReadModels } from '@beacon/stores';
import { ProjectionStopped, ReadModelsNotUsable } from '@beacon/read-models';
import { ConfigError, configFrom } from './config.js';
import { startReporterService } from './service.js';

const userFacing = [CatalogueError, ConfigError, StoreNotUsable, StoreUnavailable, ReadModelsNotUsable, ProjectionStopped];

/** beacon-reporter: the monthly feed to the Kent Partnership, on a schedule, with a health endpoint. */
async function main(): Promise<void> {
  const config = configFrom(process.env);
  const catalogue = loadCatalogue(config.catalogueDir);
  const { store } = await openEventStore(config.store);
  const readModels = await openReadModels(config.readModels);
  // Opened after the read models: they refuse a new database that already holds the outbox's tables.
  const outbox = await openOutbox(config.readModels);
  const service = await startReporterService({ store, keeper: readModels.keeper, records: readModels.records, readModels: config.readModels, outbox, catalogue, config });
  const stop = async () => {
    await service.stop();
    await outbox.close();
    await readModels.close();
    await store.close();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const address = await service.server.listen({ host: '127.0.0.1', port: config.port });
  const where = config.feed.kind === 'kafka' ? `Kafka at ${config.feed.brokers.join(',')}` : `files in ${config.feed.dir}`;
  console.log(`Beacon reporter: months close on day ${config.closeDay} of the month after; feed to ${where}; health at ${address}/health`);
}

main().catch((error: unknown) => {
  if (userFacing.some((kind) => error instanceof kind)) console.error(`beacon-reporter: ${(error as Error).message}`);
  else console.error('beacon-reporter: unexpected failure', error);
  process.exitCode = 1;
});
