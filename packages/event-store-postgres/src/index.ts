export { openPostgresEventStore, PostgresEventStore, type PostgresEventStoreOptions } from './postgres-event-store.js';
export { addressOf, connectionProblem, describeAddress, type ServerAddress } from './connection.js';
export { inTransaction, type TransactionOptions } from './transaction.js';
export { checkedSchemaName, markedVersion, migrateSchema, quoted, type SchemaSurvey, type VersionedSchema } from './versioned-schema.js';
