import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { CatalogueError, loadCatalogue } from '@beacon/catalogue';
import { StoreNotUsable, StoreUnavailable } from '@beacon/event-store';
import { ProjectionStopped, ReadModelsNotUsable } from '@beacon/read-models';
import { templateCsv, UnknownAgency } from '@beacon/return-intake';
import { UnreadableReturn, UnsupportedReturnFormat } from '@beacon/returns';
import { ingestCommand } from './commands/ingest.js';
import { copyStoreCommand } from './commands/copy-store.js';
import { rebuildCommand } from './commands/project.js';
import { publishCommand, republishCommand } from './commands/publish.js';
import { summaryCommand } from './commands/summary.js';
import { runMainJob } from './commands/run.js';
import { serveCommand } from './commands/serve.js';
import { ConfigError, configFrom } from './config.js';
import { openEventStore } from './open-store.js';
import { CatalogueChangedInPlace } from './record-catalogue.js';

const usage = `Usage: beacon [command]

Commands:
  run [--serve]
           (default) load the measure catalogue, open the event store, record the plan's
           targets and populations and the illustrative sample returns, and say what the
           store holds; --serve then starts the dashboard (as \`npm start\` does) and prints
           its address, serving until Ctrl-C
  serve    the dashboard and upload page on 127.0.0.1 (BEACON_WEB_PORT), until Ctrl-C;
           people sign in (the first start prints the first administrator's password)
  ingest FILE --agency ID [--submitter ID] [--sheet NAME] [--dry-run]
           take a return (CSV or .xlsx) from a data officer: every row is checked, and the
           return is stored whole or not at all. --dry-run checks without storing.
           Exit code 0 when accepted (or already received), 1 when rejected.
  summary --period YYYY-MM [--area ID] [--as-at DATE] [--rule worst|majority]
           the strategy group's summary: RAG per priority area and its measures for a
           month, for DGCDRP (default), DBC or GBC; --as-at shows it as it stood then
           (e.g. beacon summary --period 2009-03 --as-at 2009-04-15)
  publish --period YYYY-MM [--as-at DATE]
           work out the month's feed to the Kent Partnership (as at now, or DATE) and
           send it: to Kafka when KAFKA_BROKERS is set, else to JSON Lines files.
           A changed month goes out as a new revision saying what changed.
  republish --period YYYY-MM
           send every revision of a month again, exactly as published
  rebuild  replay the whole event log into fresh read models (stop the projector and the
           reporter first); the feed's outbox is carried over
  copy-store --to DEST [--to-schema NAME]
           copy the whole event log from the configured store to DEST: a PostgreSQL URL
           (postgres://user@host/db), an EventStoreDB connection string (esdb://...) or a
           SQLite file; then set BEACON_STORE to the copy and run beacon rebuild
  template --agency ID
           print the agency's blank return (CSV): one row for each measure it returns and
           each area it reports for, e.g. beacon template --agency kdaat > kdaat.csv
  help     show this help

Configuration (environment; none needed for the embedded default):
  BEACON_HOME           folder for the embedded default's files (default: var)
  BEACON_STORE          sqlite (default), postgres (with BEACON_POSTGRES_URL) or eventstoredb (EVENTSTORE_URL)
  BEACON_SQLITE_FILE    the SQLite event store (default: $BEACON_HOME/events.sqlite)
  BEACON_POSTGRES_URL   postgres://user:password@host:port/db, for BEACON_STORE=postgres (schema: BEACON_POSTGRES_SCHEMA, default beacon)
  BEACON_READ_MODELS    where the read models and the feed's outbox go: sqlite or postgres
                        (default: postgres, in the store's database, when BEACON_STORE=postgres; else sqlite)
  BEACON_READ_MODELS_FILE  the SQLite read models (default: $BEACON_HOME/read-models.sqlite)
  BEACON_READ_MODELS_SCHEMA  the PostgreSQL read models' schema (default: the store's schema and _records)
  BEACON_CATALOGUE_DIR  the measure catalogue (default: data/catalogue of this repository)
  BEACON_WEB_PORT       the dashboard's port on 127.0.0.1 (default: 8324; 0 = any free port)
  BEACON_CHROMIUM       the Chromium that prints the report as PDF (default: /usr/bin/chromium)
  BEACON_SESSION_KEY_FILE  the key of sign-in cookies, made on first use (default: $BEACON_HOME/session-key)
  KAFKA_BROKERS         host:port[,...] of Kafka for the feed (default: none, the feed goes to files)
  BEACON_FEED_DIR       the file feed's folder (default: $BEACON_HOME/feed)
  BEACON_MONTH_CLOSE_DAY  the day of the following month a month closes (default: 20)
`;

/** Problems a user can fix: shown as a plain message, without a stack trace. */
const userFacing = [ProjectionStopped, ReadModelsNotUsable, RangeError, CatalogueError, CatalogueChangedInPlace, ConfigError, StoreNotUsable, StoreUnavailable, UnknownAgency, UnsupportedReturnFormat, UnreadableReturn];

class UsageError extends Error {}

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      agency: { type: 'string' },
      submitter: { type: 'string', default: userInfo().username },
      sheet: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      period: { type: 'string' },
      area: { type: 'string', default: 'DGCDRP' },
      'as-at': { type: 'string' },
      rule: { type: 'string', default: 'worst' },
      to: { type: 'string' },
      'to-schema': { type: 'string' },
      serve: { type: 'boolean', default: false },
    },
  });
  const [command = 'run', ...rest] = positionals;
  const say = (line: string) => console.log(line);
  switch (command) {
    case 'run': {
      const config = configFrom(process.env);
      await runMainJob(config, say);
      if (values.serve) await serveCommand(config, say);
      return 0;
    }
    case 'serve':
      await serveCommand(configFrom(process.env), say);
      return 0;
    case 'ingest': {
      const [file] = rest;
      if (!file || !values.agency) throw new UsageError('ingest needs a file and --agency, e.g. beacon ingest march.csv --agency north-kent-police');
      return ingestCommand(configFrom(process.env), { file, agency: values.agency, submitter: values.submitter, sheet: values.sheet, dryRun: values['dry-run'] }, say);
    }
    case 'summary': {
      if (!values.period) throw new UsageError('summary needs --period, e.g. beacon summary --period 2009-03');
      if (values.rule !== 'worst' && values.rule !== 'majority') throw new UsageError('--rule is worst or majority');
      await summaryCommand(configFrom(process.env), { period: values.period, area: values.area, asAt: values['as-at'], rule: values.rule }, say);
      return 0;
    }
    case 'publish': {
      if (!values.period) throw new UsageError('publish needs --period, e.g. beacon publish --period 2009-03');
      return publishCommand(configFrom(process.env), { period: values.period, asAt: values['as-at'] }, say);
    }
    case 'republish': {
      if (!values.period) throw new UsageError('republish needs --period, e.g. beacon republish --period 2009-03');
      return republishCommand(configFrom(process.env), { period: values.period }, say);
    }
    case 'copy-store': {
      if (!values.to) throw new UsageError('copy-store needs --to, e.g. beacon copy-store --to postgres://beacon@db.example.org/beacon');
      return copyStoreCommand(configFrom(process.env), { to: values.to, ...(values['to-schema'] && { schema: values['to-schema'] }) }, say);
    }
    case 'rebuild': {
      const config = configFrom(process.env);
      const { store } = await openEventStore(config);
      try {
        await rebuildCommand(config, store, say);
      } finally {
        await store.close();
      }
      return 0;
    }
    case 'template': {
      const catalogue = loadCatalogue(configFrom(process.env).catalogueDir);
      const agency = values.agency && catalogue.agency(values.agency);
      if (!agency) throw new UsageError(`template needs --agency, one of: ${catalogue.agencies.map((a) => a.id).join(', ')}`);
      process.stdout.write(templateCsv(agency, catalogue));
      return 0;
    }
    case 'help':
      say(usage);
      return 0;
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError || (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))) {
      console.error(`beacon: ${error.message}\n\n${usage}`);
      process.exitCode = 2;
    } else if (userFacing.some((kind) => error instanceof kind) || (error instanceof Error && 'code' in error && error.code === 'ENOENT')) {
      console.error(`beacon: ${(error as Error).message}`);
      process.exitCode = 1;
    } else {
      console.error('beacon: unexpected failure', error);
      process.exitCode = 1;
    }
  },
);
