import type { Catalogue } from '@beacon/catalogue';
import { Accounts, type Action, type CredentialRefusal, can, type Principal, type Refusal, RefusalLog, type Resource, roleMay } from '@beacon/accounts';
import type { EventStore } from '@beacon/event-store';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { RateLimit } from './rate-limit.js';
import { cookiesOf, csrfTokenFor, csrfTokenMatches, newSessionId, openSession, sealSession, sessionCookie, sessionCookieName } from './sessions.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who sent the request, once their API token or session cookie has been checked; undefined when nobody could be told. */
    actor: Principal | undefined;
  }
}

/** A refused request: 401 (no, wrong or revoked credential), 403 (wrong role, agency or CSRF token) or 429 (too many). Already recorded. */
export class AccessRefusedError extends Error {
  override readonly name = 'AccessRefusedError';
  constructor(
    readonly statusCode: 401 | 403 | 429,
    readonly action: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  get status(): 'unauthorised' | 'forbidden' | 'too-many-requests' {
    return this.statusCode === 401 ? 'unauthorised' : this.statusCode === 403 ? 'forbidden' : 'too-many-requests';
  }

  /** The JSON answer: a `status` to switch on, the action refused, and why in words. */
  get body() {
    return { status: this.status, action: this.action, message: this.message };
  }
}

export interface AuthOptions {
  store: EventStore;
  /** To check the agencies of data officers' accounts. */
  catalogue?: Catalogue;
  /** The HMAC key of session cookies (32 random bytes: `sessionKeyFrom(file)`). Without one, nobody can sign in: API tokens only. */
  sessionKey?: Buffer;
  /** Mark cookies Secure: 'auto' (default) when the request came over https, as Fastify sees it (behind a proxy, set its trustProxy). */
  secureCookies?: 'auto' | boolean;
  /** How long a session lasts (default 8 hours: a working day). */
  sessionHours?: number;
  /** Sign-in attempts allowed per user name and per address in 15 minutes (default 10 and 50). */
  signInAttempts?: { perUser: number; perAddress: number };
  /** Refusals from one address recorded one by one each minute (default 60); more are counted. */
  refusalsRecordedPerMinute?: number;
  /** Where a failed sign-in from a form is sent back to (default /sign-in), with ?failed=1. */
  signInPath?: string;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const QUARTER_HOUR = 15 * 60_000;
const cut = (text: string, length: number) => (text.length > length ? `${text.slice(0, length - 1)}…` : text);
const pathOf = (url: string) => cut(url.split('?')[0] ?? '/', 300);
const firstOf = (value: unknown) => (Array.isArray(value) ? value[0] : value);

/** Only a path on this site: never "//elsewhere" or "/\elsewhere", which browsers take for another host. */
const localPath = (next: unknown) => (typeof next === 'string' && /^\/(?![/\\])[\x21-\x7e]*$/.test(next) ? next : '/');

interface Attempt {
  credential?: Refusal['attempt']['credential'];
  accountId?: string;
  tokenId?: string;
}

/**
 * Who may do what over HTTP: authenticates every request (an API token in `Authorization: Bearer`,
 * else a person's session cookie), decides with the policy of @beacon/accounts, and records every
 * refusal as an AccessRefused event. Register `plugin` once on the root app; guard routes with
 * `requires` (a preHandler) or, where the resource is known only inside the handler, `authorise`.
 */
export function createAuth(options: AuthOptions) {
  const { store, catalogue, sessionKey } = options;
  const accounts = new Accounts(store, catalogue ? { catalogue } : {});
  const refusals = new RefusalLog(store, { perMinute: options.refusalsRecordedPerMinute ?? 60 });
  const sessionMs = (options.sessionHours ?? 8) * 3_600_000;
  const signInPath = options.signInPath ?? '/sign-in';
  /** Why a credential that came with a request was not taken, for the 401 and the record. */
  const problems = new WeakMap<FastifyRequest, { credential: 'token' | 'session'; refusal: CredentialRefusal }>();
  /** Sessions ended by signing out, until they would have expired anyway. */
  const signedOut = new Map<string, number>();

  const secure = (request: FastifyRequest) => options.secureCookies === true || (options.secureCookies !== false && request.protocol === 'https');

  async function authenticate(request: FastifyRequest): Promise<void> {
    const header = request.headers.authorization;
    if (header !== undefined) {
      const token = /^Bearer +(\S+) *$/i.exec(header)?.[1];
      const check = token === undefined ? { ok: false as const, reason: 'the Authorization header must be "Bearer <token>"' } : await accounts.checkToken(token);
      if (check.ok) request.actor = check.principal;
      else problems.set(request, { credential: 'token', refusal: check });
      return;
    }
    const cookie = sessionKey && cookiesOf(request.headers.cookie).get(sessionCookieName(secure(request)));
    if (!sessionKey || cookie === undefined) return;
    const session = openSession(sessionKey, cookie);
    const ended = session && (signedOut.get(session.sessionId) ?? 0) > Date.now();
    const check =
      session && !ended
        ? await accounts.checkSession(session.accountId, session.sessionId, session.startedAt)
        : { ok: false as const, reason: ended ? 'the session was ended by signing out: sign in again' : 'the session has expired, or its cookie is not one Beacon made: sign in again' };
    if (check.ok) request.actor = check.principal;
    else problems.set(request, { credential: 'session', refusal: check });
  }

  /** Records the refusal (a failure to record is logged, never turned into an answer) and gives the error to answer with. */
  async function refuse(
    request: FastifyRequest,
    statusCode: 401 | 403 | 429,
    action: string,
    reason: string,
    more: { resource?: Resource; headers?: Record<string, string>; attempt?: Attempt } = {},
  ): Promise<AccessRefusedError> {
    const principal = request.actor;
    const problem = problems.get(request);
    const tokenId = more.attempt?.tokenId ?? (principal?.credential.kind === 'token' ? principal.credential.tokenId : problem?.refusal.tokenId);
    const accountId = more.attempt?.accountId ?? principal?.accountId ?? problem?.refusal.accountId;
    const resource = Object.fromEntries(Object.entries(more.resource ?? {}).flatMap(([key, value]) => (typeof value === 'string' ? [[key, cut(value, 100)]] : [])));
    const refusal: Refusal = {
      status: statusCode,
      action: cut(action, 40),
      reason: cut(reason, 500),
      attempt: {
        credential: more.attempt?.credential ?? principal?.credential.kind ?? problem?.credential ?? 'none',
        ...(accountId !== undefined && { accountId: cut(accountId, 100) }),
        ...(tokenId !== undefined && { tokenId }),
        remoteAddress: cut(request.ip ?? 'unknown', 100),
        method: cut(request.method, 10),
        path: pathOf(request.url),
      },
      ...(Object.keys(resource).length > 0 && { resource }),
    };
    try {
      await refusals.record(refusal);
    } catch (error) {
      request.log.error({ err: error }, 'a refused request could not be recorded');
    }
    const message =
      statusCode === 401
        ? `Not signed in: ${reason}. Send an API token as "Authorization: Bearer <token>", or sign in.`
        : statusCode === 403
          ? `Not allowed: ${reason}.`
          : `Not now: ${reason}.`;
    return new AccessRefusedError(statusCode, action, message, more.headers);
  }

  /** Why a state-changing request made with a session cookie might have been made by another site, or undefined. */
  function crossSiteProblem(request: FastifyRequest, sessionId: string): string | undefined {
    const origin = request.headers.origin;
    if (origin !== undefined && (origin === 'null' || URL.parse(origin)?.host !== request.headers.host)) return `the request came from another site (${cut(origin, 100)})`;
    const given = firstOf(request.headers['x-csrf-token']) ?? (request.body as Record<string, unknown> | undefined)?._csrf ?? (request.query as Record<string, unknown> | undefined)?._csrf;
    if (typeof given !== 'string' || !sessionKey || !csrfTokenMatches(sessionKey, sessionId, given)) {
      return 'the form came without the CSRF token of this session: reload the page and send it again';
    }
    return undefined;
  }

  /**
   * Checks that the request's actor may do `action` (on `resource`, when given: an agency-scoped
   * action needs one) and, for a session, that a state-changing request carries its CSRF token.
   * Returns the actor, or throws AccessRefusedError, recorded.
   */
  async function authorise(request: FastifyRequest, action: Action, resource?: Resource): Promise<Principal> {
    const principal = request.actor;
    const withResource = resource === undefined ? {} : { resource };
    if (!principal) {
      const problem = problems.get(request);
      const challenge = `Bearer realm="Beacon"${problem?.credential === 'token' ? ', error="invalid_token"' : ''}`;
      throw await refuse(request, 401, action, problem?.refusal.reason ?? 'the request had no API token and no session', { ...withResource, headers: { 'www-authenticate': challenge } });
    }
    const decision = resource === undefined ? roleMay(principal.role, action) : can(principal, action, resource);
    if (!decision.allowed) throw await refuse(request, 403, action, decision.reason, withResource);
    if (principal.credential.kind === 'session' && !SAFE_METHODS.has(request.method)) {
      const problem = crossSiteProblem(request, principal.credential.sessionId);
      if (problem) throw await refuse(request, 403, action, problem, withResource);
    }
    return principal;
  }

  const send = (reply: FastifyReply, refused: AccessRefusedError) => reply.code(refused.statusCode).headers(refused.headers).send(refused.body);

  /** A preHandler: the route answers only actors who may do `action` (on the resource `resourceOf` reads from the request). */
  function requires(action: Action, resourceOf?: (request: FastifyRequest) => Resource): preHandlerAsyncHookHandler {
    return async (request, reply) => {
      try {
        await authorise(request, action, resourceOf?.(request));
      } catch (error) {
        if (error instanceof AccessRefusedError) return send(reply, error);
        throw error;
      }
    };
  }

  /** Takes one use of `limit` for `key`, or throws 429 (recorded) with Retry-After. */
  async function withinRate(request: FastifyRequest, limit: RateLimit, key: string, action: string, what: string): Promise<void> {
    const taken = limit.take(key);
    if (taken.ok) return;
    const reason = `${what}: at most ${limit.limit} in ${Math.round(limit.windowMs / 1000)} seconds; try again in ${taken.retryAfterSeconds} seconds`;
    throw await refuse(request, 429, action, reason, { headers: { 'retry-after': String(taken.retryAfterSeconds) } });
  }

  /** The CSRF token a page puts in its forms (a hidden `_csrf` field), for a person signed in; undefined otherwise. */
  const csrfTokenOf = (request: FastifyRequest): string | undefined =>
    sessionKey && request.actor?.credential.kind === 'session' ? csrfTokenFor(sessionKey, request.actor.credential.sessionId) : undefined;

  /** Authenticates every request of the app it is registered on (not encapsulated: it decorates the root). */
  const plugin: FastifyPluginAsync = async (app) => {
    app.decorateRequest('actor', undefined);
    app.addHook('onRequest', authenticate);
    app.addHook('onClose', () => refusals.flush());
  };
  Object.assign(plugin, { [Symbol.for('skip-override')]: true, [Symbol.for('fastify.display-name')]: 'beacon-http-auth' });

  const signIns = { perUser: new RateLimit(options.signInAttempts?.perUser ?? 10, QUARTER_HOUR), perAddress: new RateLimit(options.signInAttempts?.perAddress ?? 50, QUARTER_HOUR) };

  /** POST /sign-in (user, password, next) and POST /sign-out, as a form or JSON. */
  const sessionRoutes: FastifyPluginAsync = async (app) => {
    app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 4096 }, (_request, body, done) =>
      done(null, Object.fromEntries(new URLSearchParams(body as string))),
    );
    const isForm = (request: FastifyRequest) => request.headers['content-type']?.startsWith('application/x-www-form-urlencoded') === true;

    app.post('/sign-in', { bodyLimit: 4096 }, async (request, reply) => {
      const body = (request.body ?? {}) as Record<string, unknown>;
      const user = typeof body.user === 'string' ? body.user.trim().toLowerCase() : '';
      const password = typeof body.password === 'string' ? body.password : '';
      const attempt: Attempt = { credential: 'password', accountId: user };
      const refused = async (error: AccessRefusedError) =>
        isForm(request) && error.statusCode === 401
          ? reply.redirect(`${signInPath}?failed=1&next=${encodeURIComponent(localPath(body.next))}`, 303)
          : send(reply, error);
      try {
        if (!sessionKey) throw await refuse(request, 403, 'sign-in', 'this Beacon takes API tokens only: it has no session key', { attempt });
        // Logging in as the attacker from their page (login CSRF) is refused like any cross-site post.
        const origin = request.headers.origin;
        if (origin !== undefined && URL.parse(origin)?.host !== request.headers.host) throw await refuse(request, 403, 'sign-in', `the sign-in came from another site (${cut(origin, 100)})`, { attempt });
        for (const [limit, key, what] of [
          [signIns.perUser, `user:${user}`, `too many sign-in attempts for ${cut(user, 100)}`],
          [signIns.perAddress, `address:${request.ip}`, 'too many sign-in attempts from this address'],
        ] as const) {
          const taken = limit.take(key);
          if (!taken.ok) throw await refuse(request, 429, 'sign-in', `${what}; try again in ${taken.retryAfterSeconds} seconds`, { attempt, headers: { 'retry-after': String(taken.retryAfterSeconds) } });
        }
        const check = user && password ? await accounts.checkPassword(user, password) : { ok: false as const, reason: 'give a user name and a password' };
        if (!check.ok) throw await refuse(request, 401, 'sign-in', check.reason, { attempt });
        const now = Date.now();
        const sessionId = newSessionId();
        const sealed = sealSession(sessionKey, { accountId: check.principal.accountId, sessionId, startedAt: new Date(now).toISOString(), expiresAt: now + sessionMs });
        reply.header('set-cookie', sessionCookie(secure(request), sealed, Math.floor(sessionMs / 1000))).header('cache-control', 'no-store');
        if (isForm(request)) return reply.redirect(localPath(body.next), 303);
        const { accountId, name, role, agency } = check.principal;
        return reply.send({ status: 'signed-in', user: accountId, name, role, ...(agency && { agency }), csrfToken: csrfTokenFor(sessionKey, sessionId) });
      } catch (error) {
        if (error instanceof AccessRefusedError) return refused(error);
        throw error;
      }
    });

    app.post('/sign-out', { bodyLimit: 4096 }, async (request, reply) => {
      const principal = request.actor;
      if (principal?.credential.kind === 'session') {
        const problem = crossSiteProblem(request, principal.credential.sessionId);
        if (problem) return send(reply, await refuse(request, 403, 'sign-out', problem));
        signedOut.set(principal.credential.sessionId, Date.now() + sessionMs);
        for (const [id, until] of signedOut) if (until <= Date.now()) signedOut.delete(id);
      }
      reply.header('set-cookie', sessionCookie(secure(request), '', 0));
      return isForm(request) ? reply.redirect('/', 303) : reply.send({ status: 'signed-out' });
    });
  };

  return { accounts, refusals, plugin, sessionRoutes, requires, authorise, withinRate, refuse, csrfTokenOf };
}

export type Auth = ReturnType<typeof createAuth>;
