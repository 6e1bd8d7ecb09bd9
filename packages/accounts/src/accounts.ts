import { randomUUID } from 'node:crypto';
import type { Catalogue } from '@beacon/catalogue';
import { type EventStore, StreamRevisionConflict } from '@beacon/event-store';
import { AccountId, type Actor, type BeaconEvent, type EventData, fromStoredEvent, type Role, toEventToAppend } from '@beacon/events';
import { type ActorInRole, an, roleWords } from './policy.js';
import { hashPassword, MIN_PASSWORD_LENGTH, type NewApiToken, newApiToken, passwordMatches, tokenDigest, tokenIdOf } from './secrets.js';

/** Every account, password and token event is in this one stream: there are few, and one stream orders them. */
export const ACCOUNTS_STREAM = 'accounts';

export interface AccountOnRecord {
  accountId: string;
  name: string;
  role: Role;
  kind: 'person' | 'machine';
  agency?: string;
  openedAt: string;
  closedAt?: string;
  /** When the password was last set: sessions begun before then no longer count. */
  passwordSetAt?: string;
}

export interface TokenOnRecord {
  tokenId: string;
  accountId: string;
  label?: string;
  issuedAt: string;
  revokedAt?: string;
}

/** Someone whose credential Beacon has checked, acting in their account's role. */
export interface Principal extends ActorInRole {
  name: string;
  kind: 'person' | 'machine';
  credential: { kind: 'token'; tokenId: string } | { kind: 'session'; sessionId: string };
}

/** Why a credential was not taken; said to the caller (401) and recorded. */
export type CredentialRefusal = { reason: string; tokenId?: string; accountId?: string };

export type CredentialCheck = { ok: true; principal: Principal } | ({ ok: false } & CredentialRefusal);

/** A request to change accounts that cannot be done as asked (unknown account, bad name, short password...). */
export class AccountChangeRefused extends Error {
  override readonly name = 'AccountChangeRefused';
}

/** The event data without what every account event carries. */
type Without<T> = Omit<T, 'recordedAt' | 'actor'>;
type AccountCommand =
  | { type: 'AccountOpened'; data: Without<EventData<'AccountOpened'>> }
  | { type: 'PasswordSet'; data: Without<EventData<'PasswordSet'>> }
  | { type: 'ApiTokenIssued'; data: Without<EventData<'ApiTokenIssued'>> }
  | { type: 'TokenRevoked'; data: Without<EventData<'TokenRevoked'>> }
  | { type: 'AccountClosed'; data: Without<EventData<'AccountClosed'>> };

/** The events of a command, stamped with when and by whom, ready to append. */
export function accountEvents(commands: readonly AccountCommand[], by: Actor, recordedAt: string) {
  // Random ids: two administrators doing the same thing at once are two acts, not a retry of one.
  return commands.map((command) => toEventToAppend({ type: command.type, data: { ...command.data, recordedAt, actor: by } } as BeaconEvent, randomUUID()));
}

export interface AccountsOptions {
  /** To check that a data officer's agency exists. */
  catalogue?: Catalogue;
  now?: () => Date;
}

const userName = (accountId: string) => {
  const parsed = AccountId.safeParse(accountId);
  if (!parsed.success) throw new AccountChangeRefused(`"${accountId}" cannot be a user name: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
};

/**
 * The accounts, passwords and tokens on record, kept in memory and brought up to date from the
 * accounts stream before each check (one read of the events appended since, by any process), so a
 * token revoked anywhere is refused on the next request. Changes are appended as events with
 * the revision this process last saw: two administrators changing accounts at once never
 * overwrite each other, the second is checked again against the first's change.
 */
export class Accounts {
  private readonly accounts = new Map<string, AccountOnRecord & { passwordHash?: string }>();
  private readonly tokens = new Map<string, TokenOnRecord>();
  private readonly tokensByDigest = new Map<string, TokenOnRecord>();
  private revision: bigint | undefined;
  private refreshing: Promise<void> | undefined;
  private readonly now: () => Date;

  constructor(
    private readonly store: EventStore,
    private readonly options: AccountsOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
  }

  /** Reads the account events appended since the last call. Concurrent callers share one read. */
  refresh(): Promise<void> {
    this.refreshing ??= this.readNewEvents().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async readNewEvents(): Promise<void> {
    const fromRevision = this.revision === undefined ? 0n : this.revision + 1n;
    for (const stored of await this.store.readStream(ACCOUNTS_STREAM, { fromRevision })) {
      this.apply(fromStoredEvent(stored));
      this.revision = stored.revision;
    }
  }

  private apply(event: BeaconEvent): void {
    switch (event.type) {
      case 'AccountOpened': {
        const { accountId, name, role, kind, agency, recordedAt } = event.data;
        this.accounts.set(accountId, { accountId, name, role, kind, ...(agency && { agency }), openedAt: recordedAt });
        return;
      }
      case 'PasswordSet': {
        const account = this.accounts.get(event.data.accountId);
        if (account) Object.assign(account, { passwordHash: event.data.passwordHash, passwordSetAt: event.data.recordedAt });
        return;
      }
      case 'ApiTokenIssued': {
        const { tokenId, accountId, label, sha256, recordedAt } = event.data;
        const token: TokenOnRecord = { tokenId, accountId, ...(label && { label }), issuedAt: recordedAt };
        this.tokens.set(tokenId, token);
        this.tokensByDigest.set(sha256, token);
        return;
      }
      case 'TokenRevoked': {
        const token = this.tokens.get(event.data.tokenId);
        if (token) token.revokedAt = event.data.recordedAt;
        return;
      }
      case 'AccountClosed': {
        const account = this.accounts.get(event.data.accountId);
        if (account) account.closedAt = event.data.recordedAt;
        return;
      }
    }
  }

  private static withoutSecret({ passwordHash: _, ...account }: AccountOnRecord & { passwordHash?: string }): AccountOnRecord {
    return account;
  }

  async list(): Promise<AccountOnRecord[]> {
    await this.refresh();
    return [...this.accounts.values()].map(Accounts.withoutSecret);
  }

  async account(accountId: string): Promise<AccountOnRecord | undefined> {
    await this.refresh();
    const account = this.accounts.get(accountId);
    return account && Accounts.withoutSecret(account);
  }

  async tokensOf(accountId: string): Promise<TokenOnRecord[]> {
    await this.refresh();
    return [...this.tokens.values()].filter((token) => token.accountId === accountId).map((token) => ({ ...token }));
  }

  private principal(account: AccountOnRecord, credential: Principal['credential']): Principal {
    const { accountId, name, role, kind, agency } = account;
    return { accountId, name, role, kind, ...(agency && { agency }), credential };
  }

  /** Checks an API token: known, not revoked, of an open account. */
  async checkToken(token: string): Promise<CredentialCheck> {
    const tokenId = tokenIdOf(token);
    if (tokenId === undefined) return { ok: false, reason: 'that is not a Beacon API token (they begin "beacon_")' };
    await this.refresh();
    const onRecord = this.tokensByDigest.get(tokenDigest(token));
    if (!onRecord) return { ok: false, reason: 'the token is not one Beacon issued', tokenId };
    const about = { tokenId, accountId: onRecord.accountId };
    if (onRecord.revokedAt) return { ok: false, reason: `the token was revoked on ${onRecord.revokedAt}`, ...about };
    const account = this.accounts.get(onRecord.accountId);
    if (!account || account.closedAt) return { ok: false, reason: `the account ${onRecord.accountId} is closed`, ...about };
    return { ok: true, principal: this.principal(account, { kind: 'token', tokenId }) };
  }

  /** Checks a person's user name and password. The same answer whether the name or the password was wrong. */
  async checkPassword(accountId: string, password: string): Promise<CredentialCheck> {
    await this.refresh();
    const account = this.accounts.get(accountId);
    const wrong = { ok: false, reason: 'the user name or password is wrong', accountId } as const;
    // An unknown name costs the same scrypt as a known one, so the time taken does not tell them apart.
    const matches = await passwordMatches(password, account?.passwordHash ?? (await unusableHash()));
    if (!account?.passwordHash || !matches) return wrong;
    if (account.closedAt) return { ok: false, reason: `the account ${accountId} is closed`, accountId };
    return { ok: true, principal: this.principal(account, { kind: 'session', sessionId: '' }) };
  }

  /** The person behind a signed session cookie, if their account is open and their password unchanged since it began. */
  async checkSession(accountId: string, sessionId: string, startedAt: string): Promise<CredentialCheck> {
    await this.refresh();
    const account = this.accounts.get(accountId);
    if (!account || account.closedAt) return { ok: false, reason: `the account ${accountId} is closed`, accountId };
    if (account.passwordSetAt && account.passwordSetAt > startedAt) return { ok: false, reason: 'the password was changed after this session began: sign in again', accountId };
    return { ok: true, principal: this.principal(account, { kind: 'session', sessionId }) };
  }

  /**
   * Appends the events `decide` makes from the accounts as they are now; if another process
   * changed them meanwhile, reads that change and decides again.
   */
  private async change(by: Actor, decide: () => AccountCommand[] | Promise<AccountCommand[]>): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      await this.refresh();
      const commands = await decide();
      const events = accountEvents(commands, by, this.now().toISOString());
      try {
        await this.store.append(ACCOUNTS_STREAM, events, { expectedRevision: this.revision ?? 'no_stream' });
        await this.refresh();
        return;
      } catch (error) {
        if (!(error instanceof StreamRevisionConflict) || attempt >= 5) throw error;
      }
    }
  }

  private openAccountOf(accountId: string): AccountOnRecord {
    const account = this.accounts.get(accountId);
    if (!account) throw new AccountChangeRefused(`there is no account ${accountId}`);
    if (account.closedAt) throw new AccountChangeRefused(`the account ${accountId} is closed`);
    return account;
  }

  /** Opens an account; a person's with a password, which is hashed before it is stored. */
  async openAccount(input: { accountId: string; name: string; role: Role; kind: 'person' | 'machine'; agency?: string; password?: string }, by: Actor): Promise<void> {
    const accountId = userName(input.accountId);
    if ((input.role === 'data-officer') !== (input.agency !== undefined)) {
      throw new AccountChangeRefused(input.role === 'data-officer' ? 'a data officer needs the agency they send returns for' : `${an(roleWords[input.role])} has no agency`);
    }
    if (input.agency !== undefined && this.options.catalogue && !this.options.catalogue.agency(input.agency)) {
      throw new AccountChangeRefused(`"${input.agency}" is not an agency Beacon knows`);
    }
    if (input.kind === 'machine' && input.password !== undefined) throw new AccountChangeRefused('a machine has tokens, not a password');
    const passwordHash = input.password === undefined ? undefined : await hashPassword(checkedPassword(input.password));
    await this.change(by, () => {
      if (this.accounts.has(accountId)) throw new AccountChangeRefused(`the user name ${accountId} is taken`);
      const { name, role, kind, agency } = input;
      return [
        { type: 'AccountOpened', data: { accountId, name, role, kind, ...(agency !== undefined && { agency }) } },
        ...(passwordHash ? [{ type: 'PasswordSet', data: { accountId, passwordHash } } as const] : []),
      ];
    });
  }

  async setPassword(accountId: string, password: string, by: Actor): Promise<void> {
    const passwordHash = await hashPassword(checkedPassword(password));
    await this.change(by, () => {
      if (this.openAccountOf(accountId).kind === 'machine') throw new AccountChangeRefused('a machine has tokens, not a password');
      return [{ type: 'PasswordSet', data: { accountId, passwordHash } }];
    });
  }

  /** Issues a token; the token is in the answer only, once. */
  async issueToken(accountId: string, by: Actor, label?: string): Promise<NewApiToken> {
    let issued: NewApiToken | undefined;
    await this.change(by, () => {
      this.openAccountOf(accountId);
      // A token whose first characters another has would be ambiguous in lists: draw again.
      do {
        issued = newApiToken();
      } while (this.tokens.has(issued.tokenId));
      return [{ type: 'ApiTokenIssued', data: { accountId, tokenId: issued.tokenId, sha256: issued.sha256, ...(label && { label }) } }];
    });
    return issued as NewApiToken;
  }

  async revokeToken(tokenId: string, by: Actor, reason?: string): Promise<void> {
    await this.change(by, () => {
      const token = this.tokens.get(tokenId);
      if (!token) throw new AccountChangeRefused(`there is no token ${tokenId}`);
      if (token.revokedAt) throw new AccountChangeRefused(`the token ${tokenId} was already revoked on ${token.revokedAt}`);
      return [{ type: 'TokenRevoked', data: { accountId: token.accountId, tokenId, ...(reason && { reason }) } }];
    });
  }

  async closeAccount(accountId: string, by: Actor, reason?: string): Promise<void> {
    await this.change(by, () => {
      this.openAccountOf(accountId);
      return [{ type: 'AccountClosed', data: { accountId, ...(reason && { reason }) } }];
    });
  }
}

let unusable: Promise<string> | undefined;
const unusableHash = () => (unusable ??= hashPassword(randomUUID()));

function checkedPassword(password: string): string {
  if (password.length < MIN_PASSWORD_LENGTH) throw new AccountChangeRefused(`a password needs at least ${MIN_PASSWORD_LENGTH} characters`);
  return password;
}

/** The actor an authenticated request's events carry: the account's user name (its display name is in the accounts). */
export function actorOf(principal: Principal): Actor {
  return { kind: principal.kind === 'person' ? 'person' : 'system', id: principal.accountId, ...(principal.agency && { agency: principal.agency }) };
}
