import { createHash, randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto';

/**
 * Secrets are never stored: a password as its scrypt hash (slow on purpose, salted), an API token
 * as its SHA-256 (a token is 32 random bytes, so a fast hash is enough: nobody can guess one).
 */

/** scrypt cost 2^15, block size 8: about 32 MiB and a few tens of milliseconds per sign-in. */
const COST_LOG2 = 15;
const BLOCK_SIZE = 8;
const PARALLELISM = 1;
const KEY_LENGTH = 32;

export const MIN_PASSWORD_LENGTH = 12;

function scryptAsync(password: string, salt: Buffer, N: number, r: number, p: number): Promise<Buffer> {
  const options: ScryptOptions = { N, r, p, maxmem: 256 * N * r };
  return new Promise((resolve, reject) => scrypt(password, salt, KEY_LENGTH, options, (error, key) => (error ? reject(error) : resolve(key))));
}

/** "scrypt$15$8$1$<salt>$<hash>", base64url: the parameters travel with the hash, so they can be raised later. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, 2 ** COST_LOG2, BLOCK_SIZE, PARALLELISM);
  return `scrypt$${COST_LOG2}$${BLOCK_SIZE}$${PARALLELISM}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

export async function passwordMatches(password: string, stored: string): Promise<boolean> {
  const [scheme, costLog2, blockSize, parallelism, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const key = await scryptAsync(password, Buffer.from(salt, 'base64url'), 2 ** Number(costLog2), Number(blockSize), Number(parallelism));
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** A password for a person to sign in with the first time: 20 characters from 120 random bits. */
export const newPassword = (): string => randomBytes(15).toString('base64url');

export const TOKEN_PREFIX = 'beacon_';
/** "beacon_" and 8 characters: enough to tell tokens apart in lists and the audit, far too little to use one. */
const TOKEN_ID_LENGTH = TOKEN_PREFIX.length + 8;

export interface NewApiToken {
  /** Shown once to whoever asked for it; never stored. */
  token: string;
  tokenId: string;
  sha256: string;
}

export const tokenDigest = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

/** The part of a token that names it, or undefined for something that is not a Beacon token at all. */
export const tokenIdOf = (token: string): string | undefined =>
  token.startsWith(TOKEN_PREFIX) && token.length >= TOKEN_ID_LENGTH && /^[A-Za-z0-9_-]+$/.test(token) ? token.slice(0, TOKEN_ID_LENGTH) : undefined;

/** An API token: "beacon_" and 32 random bytes in base64url. */
export function newApiToken(): NewApiToken {
  const token = `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
  return { token, tokenId: token.slice(0, TOKEN_ID_LENGTH), sha256: tokenDigest(token) };
}
