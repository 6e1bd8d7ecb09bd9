import type { Role } from '@beacon/events';
import type { Accounts } from './accounts.js';

/** For tests: who sets up the test's accounts. */
export const testAdministrator = { kind: 'person', id: 'test.administrator' } as const;

/** For tests: opens an account in `role` (and agency) and gives it a token; no password, as scrypt is slow on purpose. */
export async function tokenFor(accounts: Accounts, accountId: string, role: Role, agency?: string): Promise<string> {
  await accounts.openAccount({ accountId, name: accountId, role, kind: 'person', ...(agency !== undefined && { agency }) }, testAdministrator);
  return (await accounts.issueToken(accountId, testAdministrator)).token;
}
