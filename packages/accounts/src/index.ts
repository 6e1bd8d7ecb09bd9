export {
  ACCOUNTS_STREAM,
  AccountChangeRefused,
  type AccountOnRecord,
  Accounts,
  type AccountsOptions,
  actorOf,
  type CredentialCheck,
  type CredentialRefusal,
  type Principal,
  type TokenOnRecord,
} from './accounts.js';
export { ensureFirstAdministrator, FIRST_ADMINISTRATOR, type FirstAdministrator, firstAdministratorText } from './first-administrator.js';
export { type Action, type ActorInRole, actions, an, can, type Decision, policy, type Resource, roleMay, roles, roleWords } from './policy.js';
export { REFUSALS_STREAM, type Refusal, RefusalLog, type RefusalLogOptions } from './refusals.js';
export { hashPassword, MIN_PASSWORD_LENGTH, newApiToken, newPassword, passwordMatches, TOKEN_PREFIX, tokenDigest, tokenIdOf } from './secrets.js';
