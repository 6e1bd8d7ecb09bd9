import { join } from 'node:path';
import { z } from 'zod';

/**
 * Beacon's configuration comes from the environment, validated at start-up. The embedded
 * default (SQLite in ./var) needs none of it.
 */
const Environment = z.object({
  BEACON_HOME: z.string().min(1).default('var'),
  BEACON_STORE: z.enum(['sqlite']).default('sqlite'),
  BEACON_SQLITE_FILE: z.string().min(1).optional(),
  BEACON_CATALOGUE_DIR: z.string().min(1).optional(),
});

export interface Config {
  /** Folder of the embedded default's files (event store, feed files). */
  home: string;
  store: { kind: 'sqlite'; file: string };
  /** Where the measure catalogue is read from; undefined = the catalogue shipped in data/. */
  catalogueDir: string | undefined;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export function configFrom(env: NodeJS.ProcessEnv): Config {
  const parsed = Environment.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0]);
      return `  ${name}=${JSON.stringify(env[name])}: ${issue.message}`;
    });
    throw new ConfigError(`Beacon's configuration is not valid:\n${problems.join('\n')}`);
  }
  const { BEACON_HOME: home, BEACON_SQLITE_FILE, BEACON_CATALOGUE_DIR } = parsed.data;
  return {
    home,
    store: { kind: 'sqlite', file: BEACON_SQLITE_FILE ?? join(home, 'events.sqlite') },
    catalogueDir: BEACON_CATALOGUE_DIR,
  };
}
