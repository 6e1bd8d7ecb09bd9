/**
 * Accounts, passwords and tokens as events in a real SQLite store: what is stored (hashes only),
 * what is refused, and that a change made through one process's Accounts is seen by another's.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCatalogue } from '@beacon/catalogue';
import type { EventStore } from '@beacon/event-store';
import { openSqliteEventStore } from '@beacon/event-store-sqlite';
import { fromStoredEvent } from '@beacon/events';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ACCOUNTS_STREAM, AccountChangeRefused, Accounts, actorOf } from './accounts.js';
import { ensureFirstAdministrator } from './first-administrator.js';

const catalogue = loadCatalogue();
const admin = { kind: 'person', id: 'administrator' } as const;
let dir: string;
let file: string;
let store: EventStore;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'beacon-accounts-'));
  file = join(dir, 'events.sqlite');
  store = await openSqliteEventStore({ file });
});
afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

const accountEvents = async () => (await store.readStream(ACCOUNTS_STREAM)).map(fromStoredEvent);

describe('accounts', () => {
  it("keeps a person's password only as an scrypt hash, and checks it", async () => {
    const accounts = new Accounts(store, { catalogue });
    const password = 'correct horse battery staple';
    await accounts.openAccount({ accountId: 'nkp.officer', name: 'Pat Officer', role: 'data-officer', agency: 'north-kent-police', kind: 'person', password }, admin);

    const events = await accountEvents();
    expect(events.map((e) => e.type)).toEqual(['AccountOpened', 'PasswordSet']);
    expect(events[1]?.data).toMatchObject({ accountId: 'nkp.officer', passwordHash: expect.stringMatching(/^scrypt\$15\$8\$1\$/), actor: admin });
    // Not anywhere in the file: not in an event, not in an index.
    expect((await readFile(file)).includes(Buffer.from(password))).toBe(false);

    expect(await accounts.checkPassword('nkp.officer', password)).toMatchObject({ ok: true, principal: { accountId: 'nkp.officer', role: 'data-officer', agency: 'north-kent-police' } });
    expect(await accounts.checkPassword('nkp.officer', 'wrong horse battery staple')).toEqual({ ok: false, reason: 'the user name or password is wrong', accountId: 'nkp.officer' });
    // An unknown name gets the same answer as a wrong password.
    expect(await accounts.checkPassword('nobody', password)).toEqual({ ok: false, reason: 'the user name or password is wrong', accountId: 'nobody' });
  });

  it('issues a token once, stores only its SHA-256, and refuses it from the moment it is revoked, in every process', async () => {
    const here = new Accounts(store);
    await here.openAccount({ accountId: 'kcc.feed', name: 'Kent Partnership feed', role: 'feed-consumer', kind: 'machine' }, admin);
    const { token, tokenId } = await here.issueToken('kcc.feed', admin, 'the Kent Partnership');
    expect(token).toMatch(/^beacon_[A-Za-z0-9_-]{43}$/);
    expect(tokenId).toBe(token.slice(0, 15));
    expect((await readFile(file)).includes(Buffer.from(token))).toBe(false);

    // Another process, with a store of its own on the same file.
    const otherStore = await openSqliteEventStore({ file });
    const there = new Accounts(otherStore);
    expect(await there.checkToken(token)).toMatchObject({ ok: true, principal: { accountId: 'kcc.feed', role: 'feed-consumer', credential: { kind: 'token', tokenId } } });
    await here.revokeToken(tokenId, admin, 'the laptop was lost');
    expect(await there.checkToken(token)).toEqual({ ok: false, reason: expect.stringMatching(/^the token was revoked on 20\d\d-/), tokenId, accountId: 'kcc.feed' });
    await otherStore.close();

    expect(await here.checkToken(`${token.slice(0, -1)}x`)).toEqual({ ok: false, reason: 'the token is not one Beacon issued', tokenId });
    expect(await here.checkToken('hunter2')).toEqual({ ok: false, reason: 'that is not a Beacon API token (they begin "beacon_")' });
    await expect(here.revokeToken(tokenId, admin)).rejects.toThrow(/already revoked/);
  });

  it("closing an account ends its tokens and its sessions; a new password ends the sessions begun before it", async () => {
    const accounts = new Accounts(store);
    await accounts.openAccount({ accountId: 'an.analyst', name: 'An Analyst', role: 'analyst', kind: 'person', password: 'first password 1' }, admin);
    const { token } = await accounts.issueToken('an.analyst', admin);
    const started = new Date().toISOString();
    expect((await accounts.checkSession('an.analyst', 's1', started)).ok).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 5));
    await accounts.setPassword('an.analyst', 'second password 2', admin);
    expect(await accounts.checkSession('an.analyst', 's1', started)).toMatchObject({ ok: false, reason: expect.stringMatching(/password was changed/) });
    expect((await accounts.checkSession('an.analyst', 's2', new Date().toISOString())).ok).toBe(true);

    await accounts.closeAccount('an.analyst', admin, 'left the partnership');
    expect(await accounts.checkToken(token)).toMatchObject({ ok: false, reason: 'the account an.analyst is closed' });
    expect(await accounts.checkSession('an.analyst', 's3', new Date().toISOString())).toMatchObject({ ok: false });
    expect(await accounts.checkPassword('an.analyst', 'second password 2')).toMatchObject({ ok: false, reason: 'the account an.analyst is closed' });
  });

  it('refuses what cannot be: a taken or malformed user name, a data officer without an agency, an unknown agency, a short password', async () => {
    const accounts = new Accounts(store, { catalogue });
    const viewer = { accountId: 'viewer', name: 'Viewer', role: 'strategy-group-viewer', kind: 'machine' } as const;
    await accounts.openAccount(viewer, admin);
    await expect(accounts.openAccount(viewer, admin)).rejects.toThrow('the user name viewer is taken');
    await expect(accounts.openAccount({ ...viewer, accountId: '../etc/passwd' }, admin)).rejects.toThrow(AccountChangeRefused);
    await expect(accounts.openAccount({ ...viewer, accountId: 'officer', role: 'data-officer' }, admin)).rejects.toThrow('a data officer needs the agency they send returns for');
    await expect(accounts.openAccount({ ...viewer, accountId: 'officer', role: 'data-officer', agency: 'nkp' }, admin)).rejects.toThrow('"nkp" is not an agency Beacon knows');
    await expect(accounts.openAccount({ ...viewer, accountId: 'analyst', role: 'analyst', agency: 'kdaat' }, admin)).rejects.toThrow('an analyst has no agency');
    await expect(accounts.openAccount({ accountId: 'person', name: 'P', role: 'analyst', kind: 'person', password: 'short' }, admin)).rejects.toThrow('at least 12 characters');
    expect((await accountEvents()).length).toBe(1);
  });

  it('two administrators changing accounts at once: both changes are kept, in order', async () => {
    const otherStore = await openSqliteEventStore({ file });
    const one = new Accounts(store);
    const two = new Accounts(otherStore);
    await Promise.all([
      one.openAccount({ accountId: 'first', name: 'First', role: 'strategy-group-viewer', kind: 'machine' }, admin),
      two.openAccount({ accountId: 'second', name: 'Second', role: 'strategy-group-viewer', kind: 'machine' }, admin),
    ]);
    await otherStore.close();
    expect((await new Accounts(store).list()).map((a) => a.accountId).sort()).toEqual(['first', 'second']);
  });

  it("gives the actor events carry: the user name, and a data officer's agency", () => {
    const principal = { accountId: 'nkp.officer', name: 'Pat', role: 'data-officer', agency: 'north-kent-police', kind: 'person', credential: { kind: 'token', tokenId: 'beacon_abcdefgh' } } as const;
    expect(actorOf(principal)).toEqual({ kind: 'person', id: 'nkp.officer', agency: 'north-kent-police' });
    expect(actorOf({ ...principal, kind: 'machine' })).toMatchObject({ kind: 'system' });
  });
});

describe('ensureFirstAdministrator', () => {
  it('on a store without accounts, makes the administrator once and gives its password and token, which work', async () => {
    const first = await ensureFirstAdministrator(store);
    expect(first).toEqual({ accountId: 'administrator', password: expect.any(String), token: expect.stringMatching(/^beacon_/), tokenId: expect.any(String) });
    expect(await ensureFirstAdministrator(store)).toBeUndefined();

    const accounts = new Accounts(store);
    expect(await accounts.checkPassword('administrator', first?.password ?? '')).toMatchObject({ ok: true, principal: { role: 'administrator' } });
    expect(await accounts.checkToken(first?.token ?? '')).toMatchObject({ ok: true, principal: { role: 'administrator' } });
    expect((await accountEvents()).map((e) => [e.type, e.data.actor.id])).toEqual([
      ['AccountOpened', 'beacon'],
      ['PasswordSet', 'beacon'],
      ['ApiTokenIssued', 'beacon'],
    ]);
  });

  it('when two processes start at once, only one makes it', async () => {
    const otherStore = await openSqliteEventStore({ file });
    const made = await Promise.all([ensureFirstAdministrator(store), ensureFirstAdministrator(otherStore)]);
    await otherStore.close();
    expect(made.filter(Boolean)).toHaveLength(1);
    expect(await accountEvents()).toHaveLength(3);
  });
});
