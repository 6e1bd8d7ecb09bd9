import { ensureFirstAdministrator, firstAdministratorText } from '@beacon/accounts';
import { loadCatalogue } from '@beacon/catalogue';
import { createAuth, sessionKeyFrom } from '@beacon/http-auth';
import { startDashboard } from '@beacon/web';
import type { Config } from '../config.js';
import { openEventStore } from '../open-store.js';

/** `beacon serve` (and `beacon run --serve`): the dashboard on loopback until Ctrl-C. */
export async function serveCommand(config: Config, say: (line: string) => void): Promise<void> {
  const catalogue = loadCatalogue(config.catalogueDir);
  const { store } = await openEventStore(config);
  try {
    const first = await ensureFirstAdministrator(store);
    if (first) for (const line of firstAdministratorText(first)) say(line);
    const auth = createAuth({ store, catalogue, sessionKey: sessionKeyFrom(config.sessionKeyFile) });
    const dashboard = await startDashboard({
      store,
      catalogue,
      auth,
      readModels: config.readModels,
      port: config.web.port,
      closeDay: config.closeDay,
      chromium: config.web.chromium,
      onProjectorStopped: (error) => console.error(`beacon: the dashboard no longer follows the event log: ${error.message}`),
    });
    say(`Dashboard: ${dashboard.url}`);
    say(`Sign in at ${dashboard.url}sign-in (the first administrator's password was printed by the first start); machines send "Authorization: Bearer <token>".`);
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
