import { endPool, openPool, type PostgresReadModelsOptions } from './pool.js';
import { PostgresAuditTrail } from './postgres-audit-trail.js';
import { PostgresReadModels } from './postgres-read-models.js';
import { PostgresRecords } from './postgres-records.js';

export type { PostgresReadModelsOptions } from './pool.js';
export { PostgresAuditTrail } from './postgres-audit-trail.js';
export { PostgresReadModels } from './postgres-read-models.js';
export { PostgresRecords } from './postgres-records.js';

/**
 * The read models in `schema` (created or migrated when opened), with the projector's keeper and
 * the records and audit trail reports read, over one pool; `close` ends it.
 */
export async function openPostgresReadModels(
  options: PostgresReadModelsOptions,
): Promise<{ keeper: PostgresReadModels; records: PostgresRecords; audit: PostgresAuditTrail; close: () => Promise<void> }> {
  const { pool, location } = await openPool(options);
  return {
    keeper: new PostgresReadModels(pool, options.schema, location),
    records: new PostgresRecords(pool, options.schema),
    audit: new PostgresAuditTrail(pool, options.schema),
    close: () => endPool(pool),
  };
}
