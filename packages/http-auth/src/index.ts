export { accountsPlugin } from './accounts-plugin.js';
export { AccessRefusedError, type Auth, type AuthOptions, createAuth } from './auth.js';
export { RateLimit } from './rate-limit.js';
export { csrfTokenFor, type Session, sessionCookieName, sessionKeyFrom } from './sessions.js';
export { authVariables, sessionKeyFileOf } from './config.js';
