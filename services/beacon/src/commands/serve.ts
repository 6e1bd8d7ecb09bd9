import { loadCatalogue } from '@beacon/catalogue';
import { startDashboard } from '@beacon/web';
import type { Config } from '../config.js';
import { openEventStore } from '../open-store.js';

/** `beacon serve` (and `beacon run --serve`): the dashboard on loopback until Ctrl-C. */
export async function serveCommand(config: Config, say: (line: string) => void): Promise<void> {
  const catalogue = loadCatalogue(config.catalogueDir);
  const { store } = await openEventStore(config);
  try {
    const dashboard = await startDashboard({
      store,
      catalogue,
      readModelsFile: config.readModelsFile,
      port: config.web.port,
      closeDay: config.closeDay,
      chromium: config.web.chromium,
      onProjectorStopped: (error) => console.error(`beacon: the dashboard no longer follows the event log: ${error.message}`),
    });
    say(`Dashboard: ${dashboard.url}`);
    say('Serving until Ctrl-C.');
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await dashboard.close();
  } finally {
    await store.close();
  }
}
