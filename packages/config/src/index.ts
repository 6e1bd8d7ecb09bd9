export {
  ConfigError,
  eventStoreVariables,
  readEnvironment,
  type ReadModelsConfig,
  readModelsConfigFrom,
  readModelsVariables,
  readModelsWhere,
  type StoreConfig,
  sqliteFileOf,
  storeConfigFrom,
  storeVariables,
  withoutPassword,
} from './environment.js';
