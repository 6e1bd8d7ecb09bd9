import { parseArgs } from 'node:util';
import { CatalogueError } from '@beacon/catalogue';
import { StoreNotUsable } from '@beacon/event-store';
import { runMainJob } from './commands/run.js';
import { ConfigError, configFrom } from './config.js';
import { CatalogueChangedInPlace } from './record-catalogue.js';

const usage = `Usage: beacon [command]

Commands:
  run      (default) load the measure catalogue, open the event store, record the plan's
           targets and populations, and say what the store holds
  help     show this help

Configuration (environment; none needed for the embedded default):
  BEACON_HOME           folder for the embedded default's files (default: var)
  BEACON_SQLITE_FILE    the SQLite event store (default: $BEACON_HOME/events.sqlite)
  BEACON_CATALOGUE_DIR  the measure catalogue (default: data/catalogue of this repository)
`;

/** Problems a user can fix: shown as a plain message, without a stack trace. */
const userFacing = [CatalogueError, CatalogueChangedInPlace, ConfigError, StoreNotUsable];

async function main(argv: string[]): Promise<number> {
  const { positionals } = parseArgs({ args: argv, allowPositionals: true, strict: true });
  const [command = 'run'] = positionals;
  switch (command) {
    case 'run':
      await runMainJob(configFrom(process.env), (line) => console.log(line));
      return 0;
    case 'help':
      console.log(usage);
      return 0;
    default:
      console.error(`beacon: unknown command "${command}"\n\n${usage}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (userFacing.some((kind) => error instanceof kind)) console.error(`beacon: ${(error as Error).message}`);
    else console.error('beacon: unexpected failure', error);
    process.exitCode = 1;
  },
);
