export { openPostgresEventStore, PostgresEventStore, type PostgresEventStoreOptions } from './postgres-event-store.js';
export { addressOf, connectionProblem, describeAddress, type ServerAddress } from './connection.js';
