import { join } from 'node:path';
import { z } from 'zod';

/**
 * Where Beacon keeps its events and reads its catalogue: the same variables for every service,
 * so the `beacon` command and the servers open the same store. The embedded default needs none.
 */
export const storeVariables = {
  BEACON_HOME: z.string().min(1).default('var'),
  BEACON_STORE: z.enum(['sqlite']).default('sqlite'),
  BEACON_SQLITE_FILE: z.string().min(1).optional(),
  BEACON_CATALOGUE_DIR: z.string().min(1).optional(),
};

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Validates the environment against a service's variables; every bad one is named with its value and what it may be. */
export function readEnvironment<Shape extends z.ZodRawShape>(variables: Shape, env: NodeJS.ProcessEnv, whose: string): z.infer<z.ZodObject<Shape>> {
  const parsed = z.object(variables).safeParse(env);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const name = String(issue.path[0]);
    return `  ${name}=${JSON.stringify(env[name])}: ${issue.message}`;
  });
  throw new ConfigError(`${whose} configuration is not valid:\n${problems.join('\n')}`);
}

/** The SQLite event store's file: BEACON_SQLITE_FILE, or events.sqlite in BEACON_HOME. */
export const sqliteFileOf = (env: { BEACON_HOME: string; BEACON_SQLITE_FILE?: string | undefined }) => env.BEACON_SQLITE_FILE ?? join(env.BEACON_HOME, 'events.sqlite');
