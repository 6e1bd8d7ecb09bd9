export { ConfigError, readEnvironment, sqliteFileOf, storeVariables } from './environment.js';
