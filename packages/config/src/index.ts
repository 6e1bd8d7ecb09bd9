export {
  ConfigError,
  eventStoreVariables,
  readEnvironment,
  type StoreConfig,
  sqliteFileOf,
  storeConfigFrom,
  storeVariables,
} from './environment.js';
