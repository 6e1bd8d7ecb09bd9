import type pg from 'pg';

export interface TransactionOptions<T> {
  /**
   * Whether to commit what `work` resolved with; when not, the transaction is rolled back all the
   * same (cheaper than a commit for one that wrote nothing: nothing waits for the disk). Commits by default.
   */
  commits?: (result: T) => boolean;
}

/**
 * Runs `work` in a transaction on a client of its own: committed if it resolves, rolled back if it
 * throws (and its error thrown). A client whose rollback fails is released as broken, so the pool
 * never hands out a connection left inside a transaction.
 */
export async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>, options: TransactionOptions<T> = {}): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    return await transaction(client, () => work(client), options, (rollbackFailed) => {
      broken = rollbackFailed;
    });
  } finally {
    client.release(broken);
  }
}

/**
 * Runs `work` in a transaction on `client`, which the caller holds: committed if it resolves,
 * rolled back if it throws (and its error thrown). Should the rollback fail too, the caller must
 * not reuse the client (release it as broken when this throws).
 */
export function inClientTransaction<T>(client: pg.ClientBase, work: () => Promise<T>, options: TransactionOptions<T> = {}): Promise<T> {
  return transaction(client, work, options, () => {});
}

async function transaction<T>(
  client: pg.ClientBase,
  work: () => Promise<T>,
  { commits = () => true }: TransactionOptions<T>,
  rollbackFailed: (error: Error) => void,
): Promise<T> {
  try {
    await client.query('BEGIN');
    const result = await work();
    await client.query(commits(result) ? 'COMMIT' : 'ROLLBACK');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(rollbackFailed);
    throw error;
  }
}
