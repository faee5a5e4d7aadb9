import { DataSource, EntityManager } from 'typeorm';

/** Where a raw statement runs: a transaction's manager, or the pool (a DataSource or its manager). */
export type Queryable = EntityManager | DataSource;

/**
 * The rows of a raw statement, whatever its kind. TypeORM's `query()` answers UPDATE and DELETE
 * on PostgreSQL as `[rows, affected]` but SELECT and INSERT as `rows`; the structured result has
 * one shape for every statement. Inside a transaction the statement runs on its connection;
 * otherwise on a pooled connection taken for this statement alone (as `DataSource.query` does).
 */
export async function queryRows<T>(
  db: Queryable,
  sql: string,
  parameters: readonly unknown[] = [],
): Promise<T[]> {
  const manager = db instanceof DataSource ? db.manager : db;
  const own = manager.queryRunner === undefined;
  const runner = manager.queryRunner ?? manager.connection.createQueryRunner();
  try {
    const result = await runner.query(sql, [...parameters], true);
    return result.records as T[];
  } finally {
    if (own) await runner.release();
  }
}

/** The first row of a raw statement, or undefined when it answered none. */
export async function queryOne<T>(
  db: Queryable,
  sql: string,
  parameters: readonly unknown[] = [],
): Promise<T | undefined> {
  const [row] = await queryRows<T>(db, sql, parameters);
  return row;
}
