import { EntityManager } from 'typeorm';

/**
 * Rows of a raw statement run in the manager's transaction. EntityManager.query answers UPDATE
 * and DELETE as `[rows, count]` but SELECT and INSERT as `rows`; the structured result is the same
 * shape for every statement.
 */
export async function queryRows<T>(
  manager: EntityManager,
  sql: string,
  parameters: unknown[],
): Promise<T[]> {
  const runner = manager.queryRunner;
  if (!runner) throw new Error('queryRows runs inside a transaction (MemberTransactions.run)');
  const result = await runner.query(sql, parameters, true);
  return result.records as T[];
}
