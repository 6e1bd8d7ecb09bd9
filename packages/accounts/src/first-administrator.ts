import { type EventStore, StreamRevisionConflict } from '@beacon/event-store';
import { ACCOUNTS_STREAM, accountEvents } from './accounts.js';
import { hashPassword, newApiToken, newPassword } from './secrets.js';

export const FIRST_ADMINISTRATOR = 'administrator';

/** The first administrator's credentials: shown once, to whoever started Beacon, and never again. */
export interface FirstAdministrator {
  accountId: string;
  /** To sign in to the dashboard. */
  password: string;
  /** For the API: `Authorization: Bearer <token>`. */
  token: string;
  tokenId: string;
}

const firstStart = { kind: 'system', id: 'beacon', name: 'Beacon, on its first start' } as const;

/**
 * On a store without accounts, opens the administrator account with a generated password and API
 * token, and returns them: the caller prints them once. On a store that has accounts, does
 * nothing and returns undefined. Safe when two processes start at once: the append expects no
 * accounts stream, so only one of them creates it.
 */
export async function ensureFirstAdministrator(store: EventStore): Promise<FirstAdministrator | undefined> {
  if ((await store.streamRevision(ACCOUNTS_STREAM)) !== undefined) return undefined;
  const accountId = FIRST_ADMINISTRATOR;
  const password = newPassword();
  const token = newApiToken();
  const events = accountEvents(
    [
      { type: 'AccountOpened', data: { accountId, name: 'Beacon administrator', role: 'administrator', kind: 'person' } },
      { type: 'PasswordSet', data: { accountId, passwordHash: await hashPassword(password) } },
      { type: 'ApiTokenIssued', data: { accountId, tokenId: token.tokenId, sha256: token.sha256, label: 'made on the first start' } },
    ],
    firstStart,
    new Date().toISOString(),
  );
  try {
    await store.append(ACCOUNTS_STREAM, events, { expectedRevision: 'no_stream' });
  } catch (error) {
    if (error instanceof StreamRevisionConflict) return undefined;
    throw error;
  }
  return { accountId, password, token: token.token, tokenId: token.tokenId };
}

/** What to print once, so that whoever started Beacon can sign in. */
export const firstAdministratorText = (first: FirstAdministrator): string[] => [
  'Beacon made its first administrator account. These are shown once and never again: keep them safe.',
  `  user name: ${first.accountId}`,
  `  password:  ${first.password}`,
  `  API token: ${first.token}   (send it as "Authorization: Bearer <token>")`,
];
