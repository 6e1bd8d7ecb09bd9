export {
  ConfigError,
  eventStoreVariables,
  readEnvironment,
  type StoreConfig,
  sqliteFileOf,
  storeConfigFrom,
  storeVariables,
  withoutPassword,
} from './environment.js';
