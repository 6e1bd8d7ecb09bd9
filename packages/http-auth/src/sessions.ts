import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * People's sessions: a cookie holding who signed in and when, signed with an HMAC key that only
 * Beacon holds, so nothing needs storing server-side and any Beacon process with the key can check
 * it. The CSRF token of a session is an HMAC of its id under the same key: a page puts it in its
 * forms, and another site, which cannot read the page, cannot make it (a stateless synchronizer
 * token).
 */

export interface Session {
  accountId: string;
  sessionId: string;
  /** ISO 8601: a password set after this ends the session. */
  startedAt: string;
  /** Milliseconds since 1970. */
  expiresAt: number;
}

const mac = (key: Buffer, text: string) => createHmac('sha256', key).update(text).digest();

export function sealSession(key: Buffer, session: Session): string {
  const payload = Buffer.from(JSON.stringify(session)).toString('base64url');
  return `${payload}.${mac(key, `session:${payload}`).toString('base64url')}`;
}

/** The session a cookie holds, or undefined when it was not made with `key`, is malformed or has expired. */
export function openSession(key: Buffer, cookie: string, now = Date.now()): Session | undefined {
  const [payload, signature, extra] = cookie.split('.');
  if (!payload || !signature || extra !== undefined) return undefined;
  const expected = mac(key, `session:${payload}`);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  try {
    const session = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Session;
    if (typeof session.accountId !== 'string' || typeof session.sessionId !== 'string' || typeof session.startedAt !== 'string') return undefined;
    return typeof session.expiresAt === 'number' && session.expiresAt > now ? session : undefined;
  } catch {
    return undefined;
  }
}

export const newSessionId = () => randomBytes(16).toString('base64url');

export const csrfTokenFor = (key: Buffer, sessionId: string) => mac(key, `csrf:${sessionId}`).toString('base64url');

export function csrfTokenMatches(key: Buffer, sessionId: string, given: string): boolean {
  const expected = Buffer.from(csrfTokenFor(key, sessionId));
  const actual = Buffer.from(given);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** The cookies of a Cookie header, by name (the first of a name wins). */
export function cookiesOf(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const pair of (header ?? '').split(';')) {
    const at = pair.indexOf('=');
    if (at < 1) continue;
    const name = pair.slice(0, at).trim();
    if (!cookies.has(name)) cookies.set(name, pair.slice(at + 1).trim());
  }
  return cookies;
}

/**
 * Over https the cookie is `__Host-` prefixed, which browsers accept only when Secure, for the
 * whole site and from no other domain; over plain http (loopback) it cannot be.
 */
export const sessionCookieName = (secure: boolean) => (secure ? '__Host-beacon-session' : 'beacon-session');

export function sessionCookie(secure: boolean, value: string, maxAgeSeconds: number): string {
  return `${sessionCookieName(secure)}=${value}; Path=/; Max-Age=${maxAgeSeconds}; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}

/**
 * The session key in `file`, made (32 random bytes, readable by Beacon's user only) when there is
 * none: the embedded default keeps it beside the event store, so sessions outlive a restart.
 */
export function sessionKeyFrom(file: string): Buffer {
  try {
    return Buffer.from(readFileSync(file, 'utf8').trim(), 'base64url');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(dirname(file), { recursive: true });
  // Written whole under another name, then linked into place: a process starting at the same
  // moment either finds no file or a whole one, and if it made one too, the first link wins.
  const draft = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(draft, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600 });
  try {
    linkSync(draft, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    unlinkSync(draft);
  }
  return Buffer.from(readFileSync(file, 'utf8').trim(), 'base64url');
}
