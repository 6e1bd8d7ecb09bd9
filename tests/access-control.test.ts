/**
 * Every endpoint of the ingest service and of the projector's query API, asked without a token,
 * with a wrong one, with a revoked one, and with a token of the wrong role or agency: each is
 * refused (401 or 403) with a JSON answer that says why, nothing is stored, and the attempt is
 * recorded as an AccessRefused event. Then each is asked with a good token, to show the refusals
 * were the policy's and not a broken route. Real servers on 127.0.0.1, one real SQLite store.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testAdministrator, tokenFor } from '@beacon/accounts/test-support';
import { loadCatalogue } from '@beacon/catalogue';
import type { EventStore } from '@beacon/event-store';
import { openSqliteEventStore } from '@beacon/event-store-sqlite';
import { type EventData, fromStoredEvent } from '@beacon/events';
import { type Auth, createAuth } from '@beacon/http-auth';
import { buildIngestServer } from '@beacon/ingest-service';
import { buildQueryServer, catchUp } from '@beacon/projector-service';
import { recordCatalogue, sendSacReturns } from '@beacon/projector-service/test-support';
import { PerformanceQueries, ReadModels } from '@beacon/read-models';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const catalogue = loadCatalogue();
const RETURN = 'measure,area,period_start,period_end,value,numerator,denominator,sample_size,note\r\nSAC,DBC,01/04/2010,30/04/2010,101,,,,\r\n';

let dir: string;
let store: EventStore;
let readModels: ReadModels;
let auth: Auth;
let ingest: FastifyInstance;
let query: FastifyInstance;
let ingestUrl: string;
let queryUrl: string;
/** A good token of each account the table below names; and a revoked one of the same role. */
const tokens: Record<string, string> = {};
const revoked: Record<string, string> = {};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'beacon-access-'));
  store = await openSqliteEventStore({ file: join(dir, 'events.sqlite') });
  await recordCatalogue(store, catalogue);
  await sendSacReturns(store, catalogue);
  auth = createAuth({ store, catalogue });
  const accounts: [string, Parameters<typeof tokenFor>[2], string?][] = [
    ['nkp.officer', 'data-officer', 'north-kent-police'],
    ['kdaat.officer', 'data-officer', 'kdaat'],
    ['an.analyst', 'analyst'],
    ['a.viewer', 'strategy-group-viewer'],
    ['kent.feed', 'feed-consumer'],
    ['the.administrator', 'administrator'],
  ];
  for (const [accountId, role, agency] of accounts) {
    tokens[accountId] = await tokenFor(auth.accounts, accountId, role, agency);
    const { token, tokenId } = await auth.accounts.issueToken(accountId, testAdministrator, 'to be revoked');
    await auth.accounts.revokeToken(tokenId, testAdministrator, 'lost');
    revoked[accountId] = token;
  }
  readModels = new ReadModels(join(dir, 'read-models.sqlite'));
  await catchUp(store, readModels);
  ingest = buildIngestServer({ store, catalogue, auth, uploadsPerMinute: 1_000 });
  query = buildQueryServer({ queries: new PerformanceQueries(readModels.records, catalogue), audit: readModels.audit, auth, health: () => ({ status: 'ok', position: '0' }) });
  ingestUrl = await ingest.listen({ host: '127.0.0.1', port: 0 });
  queryUrl = await query.listen({ host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  await ingest?.close();
  await query?.close();
  readModels?.close();
  await store?.close();
  await rm(dir, { recursive: true, force: true });
});

interface Endpoint {
  server: 'ingest' | 'query';
  method: 'GET' | 'POST';
  path: string;
  body?: string;
  type?: string;
  action: string;
  /** Who may: their good token must get through. */
  allowed: string;
  /** A role that may not. */
  wrongRole: string;
  /** For an agency's data: an account of the right role, but of another agency. */
  wrongAgency?: string;
  /** What a good token gets. */
  answers: number;
}

const json = (value: unknown) => JSON.stringify(value);
const endpoints: Endpoint[] = [
  { server: 'ingest', method: 'POST', path: '/returns?agency=north-kent-police', body: RETURN, type: 'text/csv', action: 'submit-return', allowed: 'nkp.officer', wrongRole: 'an.analyst', wrongAgency: 'kdaat.officer', answers: 201 },
  { server: 'ingest', method: 'GET', path: '/agencies/north-kent-police/template.csv', action: 'submit-return', allowed: 'nkp.officer', wrongRole: 'a.viewer', wrongAgency: 'kdaat.officer', answers: 200 },
  {
    server: 'ingest',
    method: 'POST',
    path: '/targets',
    body: json({ measure: 'SAC', area: 'DGCDRP', period: { start: '2010-04-01', end: '2011-03-31' }, value: 12.5 }),
    type: 'application/json',
    action: 'set-target',
    allowed: 'an.analyst',
    wrongRole: 'nkp.officer',
    answers: 201,
  },
  { server: 'ingest', method: 'GET', path: '/accounts', action: 'manage-accounts', allowed: 'the.administrator', wrongRole: 'an.analyst', answers: 200 },
  {
    server: 'ingest',
    method: 'POST',
    path: '/accounts',
    body: json({ user: 'new.viewer', name: 'New Viewer', role: 'strategy-group-viewer', kind: 'machine' }),
    type: 'application/json',
    action: 'manage-accounts',
    allowed: 'the.administrator',
    wrongRole: 'a.viewer',
    answers: 201,
  },
  { server: 'ingest', method: 'POST', path: '/accounts/a.viewer/tokens', body: '{}', type: 'application/json', action: 'manage-accounts', allowed: 'the.administrator', wrongRole: 'a.viewer', answers: 201 },
  { server: 'ingest', method: 'POST', path: '/accounts/a.viewer/password', body: '{}', type: 'application/json', action: 'manage-accounts', allowed: 'the.administrator', wrongRole: 'a.viewer', answers: 200 },
  { server: 'ingest', method: 'POST', path: '/accounts/kent.feed/close', body: '{}', type: 'application/json', action: 'manage-accounts', allowed: 'the.administrator', wrongRole: 'kent.feed', answers: 200 },
  { server: 'query', method: 'GET', path: '/summary?period=2009-03', action: 'read-summary', allowed: 'a.viewer', wrongRole: 'kent.feed', answers: 200 },
  { server: 'query', method: 'GET', path: '/measures/SAC/history?area=DBC&from=2008-04&to=2009-03', action: 'read-summary', allowed: 'a.viewer', wrongRole: 'kent.feed', answers: 200 },
  { server: 'query', method: 'GET', path: '/changes?period=2009-03&from=2009-04-01', action: 'read-summary', allowed: 'a.viewer', wrongRole: 'kent.feed', answers: 200 },
  { server: 'query', method: 'GET', path: '/audit?measure=SAC&format=csv', action: 'read-audit', allowed: 'an.analyst', wrongRole: 'a.viewer', answers: 200 },
];

const send = (endpoint: Endpoint, authorization?: string) =>
  fetch(`${endpoint.server === 'ingest' ? ingestUrl : queryUrl}${endpoint.path}`, {
    method: endpoint.method,
    ...(endpoint.body !== undefined && { body: endpoint.body }),
    headers: { ...(endpoint.type && { 'content-type': endpoint.type }), ...(authorization && { authorization }) },
  });

describe('every endpoint refuses whoever may not use it, stores nothing, and records the attempt', () => {
  for (const endpoint of endpoints) {
    describe(`${endpoint.method} ${endpoint.path.split('?')[0]}`, () => {
      const attempts: [string, () => string | undefined, 401 | 403, RegExp][] = [
        ['without a token', () => undefined, 401, /^the request had no API token and no session$/],
        ['with a wrong token', () => 'Bearer beacon_NotATokenBeaconIssuedXXXXXXXXXXXXXXXXXXXXXXXXX', 401, /^the token is not one Beacon issued$/],
        ['with a revoked token', () => `Bearer ${revoked[endpoint.allowed]}`, 401, /^the token was revoked on /],
        [`with a token of the wrong role (${endpoint.wrongRole})`, () => `Bearer ${tokens[endpoint.wrongRole]}`, 403, / may not /],
        ...(endpoint.wrongAgency
          ? [[`with a token of the wrong agency (${endpoint.wrongAgency})`, () => `Bearer ${tokens[endpoint.wrongAgency as string]}`, 403, /may send returns for kdaat only, not for north-kent-police/] as [
              string,
              () => string,
              403,
              RegExp,
            ]]
          : []),
      ];
      for (const [how, authorization, status, reason] of attempts) {
        it(`${how}: ${status}`, async () => {
          const head = await store.headPosition();
          const response = await send(endpoint, authorization());
          expect(response.status).toBe(status);
          const answer = (await response.json()) as { status: string; action: string; message: string };
          expect(answer).toEqual({ status: status === 401 ? 'unauthorised' : 'forbidden', action: endpoint.action, message: expect.any(String) });
          // Nothing but the record of the refusal.
          const since = (await store.readAll({ after: head })).map(fromStoredEvent);
          expect(since.map((event) => event.type)).toEqual(['AccessRefused']);
          const refusal = since[0]?.data as EventData<'AccessRefused'>;
          expect(refusal).toMatchObject({ status, action: endpoint.action, attempt: { method: endpoint.method, path: endpoint.path.split('?')[0], remoteAddress: '127.0.0.1' } });
          expect(refusal.reason).toMatch(reason);
        });
      }
    });
  }
});

describe('and lets through whoever may', () => {
  for (const endpoint of endpoints) {
    it(`${endpoint.method} ${endpoint.path.split('?')[0]} with a token of ${endpoint.allowed}: ${endpoint.answers}`, async () => {
      const response = await send(endpoint, `Bearer ${tokens[endpoint.allowed]}`);
      expect(response.status, await response.clone().text()).toBe(endpoint.answers);
    });
  }

  it('and an administrator revokes a token over HTTP, after which it is refused', async () => {
    const viewerToken = tokens['a.viewer'] as string;
    const summary = () => fetch(`${queryUrl}/summary?period=2009-03`, { headers: { authorization: `Bearer ${viewerToken}` } });
    expect((await summary()).status).toBe(200);
    const revokedNow = await fetch(`${ingestUrl}/tokens/${viewerToken.slice(0, 15)}/revoke`, {
      method: 'POST',
      body: json({ reason: 'left the strategy group' }),
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens['the.administrator']}` },
    });
    expect(revokedNow.status).toBe(200);
    expect((await summary()).status).toBe(401);
  });
});
