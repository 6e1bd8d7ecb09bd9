/**
 * Authentication and authorisation over real HTTP: a Fastify app listening on 127.0.0.1 with a
 * route per kind of action, a real SQLite store for the accounts and the refusals, and fetch as
 * the client (as a script or a browser would send).
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tokenFor } from '@beacon/accounts/test-support';
import type { EventStore } from '@beacon/event-store';
import { openSqliteEventStore } from '@beacon/event-store-sqlite';
import { type EventData, fromStoredEvent } from '@beacon/events';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuth } from './auth.js';
import { openSession, sealSession } from './sessions.js';

const PASSWORD = 'a long enough password';
let dir: string;
let store: EventStore;
let url: string;
let close: () => Promise<void>;
let viewerToken: string;
let analystToken: string;
const sessionKey = randomBytes(32);
const changes: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'beacon-http-auth-'));
  store = await openSqliteEventStore({ file: join(dir, 'events.sqlite') });
  const auth = createAuth({ store, sessionKey, signInAttempts: { perUser: 8, perAddress: 100 } });
  const admin = { kind: 'person', id: 'test.administrator' } as const;
  await auth.accounts.openAccount({ accountId: 'an.analyst', name: 'An Analyst', role: 'analyst', kind: 'person', password: PASSWORD }, admin);
  await auth.accounts.openAccount({ accountId: 'a.viewer', name: 'A Viewer', role: 'strategy-group-viewer', kind: 'person', password: PASSWORD }, admin);
  viewerToken = await tokenFor(auth.accounts, 'viewer.machine', 'strategy-group-viewer');
  analystToken = await tokenFor(auth.accounts, 'analyst.machine', 'analyst');

  // trustProxy: the https of X-Forwarded-Proto counts, as behind a TLS-terminating proxy.
  const app = Fastify({ trustProxy: true });
  app.register(auth.plugin);
  app.register(auth.sessionRoutes);
  app.get('/summary', { preHandler: auth.requires('read-summary') }, async (request) => ({ csrfToken: auth.csrfTokenOf(request) ?? null }));
  app.post('/targets', { preHandler: auth.requires('set-target') }, async (request) => {
    changes.push(String((request.body as { value?: unknown }).value));
    return { status: 'recorded' };
  });
  url = await app.listen({ host: '127.0.0.1', port: 0 });
  close = async () => {
    await app.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  };
});
afterAll(() => close());

/** The refusals recorded since `since` (a count of events in the refusals stream). */
const refusalsAfter = async (since: number): Promise<EventData<'AccessRefused'>[]> =>
  (await store.readStream('access-refused')).slice(since).map((event) => fromStoredEvent(event).data as EventData<'AccessRefused'>);
const refusalCount = async () => (await store.readStream('access-refused')).length;

const signIn = (fields: Record<string, string>, headers: Record<string, string> = {}) =>
  fetch(`${url}/sign-in`, { method: 'POST', body: new URLSearchParams(fields), headers, redirect: 'manual' });
const cookieOf = (response: Response) => (response.headers.get('set-cookie') ?? '').split(';')[0] ?? '';

describe('API tokens', () => {
  it('answer 401 without a token, with a wrong one, or with a malformed header: recorded, with a challenge', async () => {
    const before = await refusalCount();
    const none = await fetch(`${url}/summary`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="Beacon"');
    expect(await none.json()).toEqual({ status: 'unauthorised', action: 'read-summary', message: expect.stringMatching(/^Not signed in: the request had no API token and no session\./) });

    const wrong = await fetch(`${url}/summary`, { headers: { authorization: `Bearer ${viewerToken.slice(0, -2)}xx` } });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toBe('Bearer realm="Beacon", error="invalid_token"');
    const basic = await fetch(`${url}/summary`, { headers: { authorization: 'Basic YWRtaW46YWRtaW4=' } });
    expect(basic.status).toBe(401);

    expect(await refusalsAfter(before)).toEqual([
      expect.objectContaining({ status: 401, action: 'read-summary', reason: 'the request had no API token and no session', attempt: expect.objectContaining({ credential: 'none', method: 'GET', path: '/summary' }) }),
      expect.objectContaining({ status: 401, reason: 'the token is not one Beacon issued', attempt: expect.objectContaining({ credential: 'token', tokenId: viewerToken.slice(0, 15) }) }),
      expect.objectContaining({ status: 401, reason: 'the Authorization header must be "Bearer <token>"' }),
    ]);
  });

  it("answer 403 for a role that may not, naming the role; and the route's work is not done", async () => {
    const before = await refusalCount();
    const response = await fetch(`${url}/targets`, { method: 'POST', body: JSON.stringify({ value: 13 }), headers: { authorization: `Bearer ${viewerToken}`, 'content-type': 'application/json' } });
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ status: 'forbidden', action: 'set-target', message: 'Not allowed: a strategy group viewer may not set or revise targets: only analysts may.' });
    expect(changes).not.toContain('13');
    expect(await refusalsAfter(before)).toEqual([expect.objectContaining({ status: 403, attempt: expect.objectContaining({ accountId: 'viewer.machine', credential: 'token' }) })]);

    const allowed = await fetch(`${url}/targets`, { method: 'POST', body: JSON.stringify({ value: 14 }), headers: { authorization: `Bearer ${analystToken}`, 'content-type': 'application/json' } });
    expect(allowed.status).toBe(200);
    expect(changes).toContain('14');
  });
});

describe("people's sessions", () => {
  it('sign in with a form: a cookie that is HttpOnly, SameSite=Strict, for the whole site; Secure (and __Host-) over https', async () => {
    const plain = await signIn({ user: 'a.viewer', password: PASSWORD, next: '/summary' });
    expect(plain.status).toBe(303);
    expect(plain.headers.get('location')).toBe('/summary');
    expect(plain.headers.get('set-cookie')).toMatch(/^beacon-session=[^;]+; Path=\/; Max-Age=28800; HttpOnly; SameSite=Strict$/);

    const overHttps = await signIn({ user: 'a.viewer', password: PASSWORD }, { 'x-forwarded-proto': 'https' });
    expect(overHttps.headers.get('set-cookie')).toMatch(/^__Host-beacon-session=[^;]+; Path=\/; Max-Age=28800; HttpOnly; SameSite=Strict; Secure$/);
    expect(overHttps.headers.get('location')).toBe('/');

    const summary = await fetch(`${url}/summary`, { headers: { cookie: cookieOf(plain) } });
    expect(summary.status).toBe(200);
    // The cookie made for https is not taken over plain http.
    expect((await fetch(`${url}/summary`, { headers: { cookie: cookieOf(overHttps) } })).status).toBe(401);
  });

  it('never sends a signed-in person to another site after signing in', async () => {
    for (const next of ['//evil.example/', '/\\evil.example', 'https://evil.example/', 'javascript:alert(1)']) {
      expect((await signIn({ user: 'a.viewer', password: PASSWORD, next })).headers.get('location')).toBe('/');
    }
  });

  it('refuses a wrong password (401, recorded; a form is sent back to the sign-in page), and a guessing run (429 with Retry-After)', async () => {
    const before = await refusalCount();
    const json = await fetch(`${url}/sign-in`, { method: 'POST', body: JSON.stringify({ user: 'an.analyst', password: 'not it at all' }), headers: { 'content-type': 'application/json' } });
    expect(json.status).toBe(401);
    expect(json.headers.get('set-cookie')).toBeNull();
    const form = await signIn({ user: 'an.analyst', password: 'not it either', next: '/targets' });
    expect(form.status).toBe(303);
    expect(form.headers.get('location')).toBe('/sign-in?failed=1&next=%2Ftargets');
    expect((await refusalsAfter(before))[0]).toMatchObject({ status: 401, action: 'sign-in', reason: 'the user name or password is wrong', attempt: { credential: 'password', accountId: 'an.analyst' } });

    // Eight attempts a quarter of an hour for one user name in this test's set-up: the ninth is not even checked.
    for (let i = 0; i < 6; i++) await signIn({ user: 'an.analyst', password: `guess ${i}` });
    const blocked = await signIn({ user: 'an.analyst', password: PASSWORD });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await refusalsAfter(before)).at(-1)).toMatchObject({ status: 429, action: 'sign-in' });
  });

  it('a state-changing request with a session needs the CSRF token of that session, and comes from this site', async () => {
    // A fresh analyst: the guessing above has used up an.analyst's attempts.
    const auth = createAuth({ store, sessionKey });
    await auth.accounts.openAccount({ accountId: 'another.analyst', name: 'Another', role: 'analyst', kind: 'person', password: PASSWORD }, { kind: 'person', id: 'test.administrator' });
    const signedIn = await fetch(`${url}/sign-in`, { method: 'POST', body: JSON.stringify({ user: 'another.analyst', password: PASSWORD }), headers: { 'content-type': 'application/json' } });
    const { csrfToken } = (await signedIn.json()) as { csrfToken: string };
    const cookie = cookieOf(signedIn);
    const post = (body: Record<string, unknown>, headers: Record<string, string> = {}) =>
      fetch(`${url}/targets`, { method: 'POST', body: JSON.stringify(body), headers: { cookie, 'content-type': 'application/json', ...headers } });

    const before = await refusalCount();
    expect((await post({ value: 101 })).status).toBe(403);
    expect((await post({ value: 102, _csrf: 'forged' })).status).toBe(403);
    expect((await post({ value: 103 }, { 'x-csrf-token': csrfToken, origin: 'https://evil.example' })).status).toBe(403);
    expect(changes).not.toContain('101');
    expect(changes).not.toContain('102');
    expect(changes).not.toContain('103');
    expect((await refusalsAfter(before)).map((r) => r.reason)).toEqual([
      'the form came without the CSRF token of this session: reload the page and send it again',
      'the form came without the CSRF token of this session: reload the page and send it again',
      'the request came from another site (https://evil.example)',
    ]);

    expect((await post({ value: 104 }, { 'x-csrf-token': csrfToken, origin: url })).status).toBe(200);
    expect((await post({ value: 105, _csrf: csrfToken })).status).toBe(200);
    expect(changes).toEqual(expect.arrayContaining(['104', '105']));
    // A page gets the token to put in its forms.
    expect(await (await fetch(`${url}/summary`, { headers: { cookie } })).json()).toEqual({ csrfToken });
  });

  it('refuses a sign-in posted from another site (login CSRF)', async () => {
    expect((await signIn({ user: 'a.viewer', password: PASSWORD }, { origin: 'https://evil.example' })).status).toBe(403);
  });

  it('signing out ends the session there and then, though its cookie has not expired', async () => {
    const signedIn = await fetch(`${url}/sign-in`, { method: 'POST', body: JSON.stringify({ user: 'a.viewer', password: PASSWORD }), headers: { 'content-type': 'application/json' } });
    const { csrfToken } = (await signedIn.json()) as { csrfToken: string };
    const cookie = cookieOf(signedIn);
    const out = await fetch(`${url}/sign-out`, { method: 'POST', body: JSON.stringify({ _csrf: csrfToken }), headers: { cookie, 'content-type': 'application/json' } });
    expect(out.status).toBe(200);
    expect(out.headers.get('set-cookie')).toMatch(/^beacon-session=; Path=\/; Max-Age=0;/);
    const after = await fetch(`${url}/summary`, { headers: { cookie } });
    expect(after.status).toBe(401);
    expect(((await after.json()) as { message: string }).message).toMatch(/ended by signing out/);
  });

  it('takes no cookie it did not make: altered, made with another key, or expired', async () => {
    const session = { accountId: 'an.analyst', sessionId: 's', startedAt: new Date().toISOString(), expiresAt: Date.now() + 60_000 };
    const sealed = sealSession(sessionKey, session);
    expect(openSession(sessionKey, sealed)).toEqual(session);
    const [payload, signature] = sealed.split('.');
    const promoted = Buffer.from(JSON.stringify({ ...session, accountId: 'administrator' })).toString('base64url');
    expect(openSession(sessionKey, `${promoted}.${signature}`)).toBeUndefined();
    expect(openSession(randomBytes(32), sealed)).toBeUndefined();
    expect(openSession(sessionKey, sealSession(sessionKey, { ...session, expiresAt: Date.now() - 1 }))).toBeUndefined();
    expect(openSession(sessionKey, `${payload}`)).toBeUndefined();
    const forged = await fetch(`${url}/summary`, { headers: { cookie: `beacon-session=${promoted}.${signature}` } });
    expect(forged.status).toBe(401);
  });
});
