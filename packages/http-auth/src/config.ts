import { join } from 'node:path';
import { z } from 'zod';

/** The sign-in variables every service with people's sessions shares, so a cookie made by one is taken by the others. */
export const authVariables = {
  /** The session key's file (32 random bytes, made on first use, readable by Beacon's user only). */
  BEACON_SESSION_KEY_FILE: z.string().min(1).optional(),
};

/** BEACON_SESSION_KEY_FILE, or session-key beside the embedded store in BEACON_HOME. */
export const sessionKeyFileOf = (variables: { BEACON_HOME: string; BEACON_SESSION_KEY_FILE?: string | undefined }) =>
  variables.BEACON_SESSION_KEY_FILE ?? join(variables.BEACON_HOME, 'session-key');
