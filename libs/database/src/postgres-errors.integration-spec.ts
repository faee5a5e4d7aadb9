import { DataSource } from 'typeorm';
import { createTestDataSource, TestDataSource } from '@up/testing';
import {
  isCheckViolation,
  isForeignKeyViolation,
  isTransientTransactionFailure,
  isUniqueViolation,
} from './postgres-errors';

describe('PostgreSQL error checks', () => {
  let db: TestDataSource;
  let dataSource: DataSource;

  beforeAll(async () => {
    db = await createTestDataSource({ max: 2 });
    dataSource = db.dataSource;
    await dataSource.query(`CREATE TABLE parents (id int CONSTRAINT parents_pkey PRIMARY KEY)`);
    await dataSource.query(`
      CREATE TABLE children (
        id int PRIMARY KEY,
        parent_id int CONSTRAINT children_parent_id_fkey REFERENCES parents (id),
        code text CONSTRAINT children_code_key UNIQUE,
        nickname text,
        quantity int CONSTRAINT children_quantity_check CHECK (quantity > 0)
      )`);
    await dataSource.query(
      `CREATE UNIQUE INDEX children_nickname_lower_key ON children (lower(nickname))`,
    );
    await dataSource.query(`INSERT INTO parents (id) VALUES (1)`);
    await dataSource.query(
      `INSERT INTO children (id, parent_id, code, nickname, quantity) VALUES (1, 1, 'a', 'Ann', 1)`,
    );
  });

  afterAll(async () => {
    await db?.close();
  });

  /** The error `sql` fails with. */
  async function failureOf(sql: string): Promise<unknown> {
    try {
      await dataSource.query(sql);
    } catch (error) {
      return error;
    }
    throw new Error(`Expected ${sql} to fail`);
  }

  function verdicts(error: unknown): Record<string, boolean> {
    return {
      unique: isUniqueViolation(error),
      foreignKey: isForeignKeyViolation(error),
      check: isCheckViolation(error),
      transient: isTransientTransactionFailure(error),
    };
  }

  const none = { unique: false, foreignKey: false, check: false, transient: false };

  it('recognises a unique violation, by its constraint name', async () => {
    const error = await failureOf(`INSERT INTO children (id, code) VALUES (2, 'a')`);

    expect(verdicts(error)).toEqual({ ...none, unique: true });
    expect(isUniqueViolation(error, 'children_code_key')).toBe(true);
    expect(isUniqueViolation(error, 'children_nickname_lower_key')).toBe(false);
  });

  it('recognises a unique violation of a unique index, by the index name', async () => {
    const error = await failureOf(`INSERT INTO children (id, nickname) VALUES (2, 'ANN')`);

    expect(isUniqueViolation(error, 'children_nickname_lower_key')).toBe(true);
    expect(isUniqueViolation(error, 'children_code_key')).toBe(false);
  });

  it('recognises a primary key violation as a unique violation', async () => {
    const error = await failureOf(`INSERT INTO parents (id) VALUES (1)`);

    expect(isUniqueViolation(error, 'parents_pkey')).toBe(true);
  });

  it('recognises a foreign key violation, by its constraint name', async () => {
    const error = await failureOf(`INSERT INTO children (id, parent_id) VALUES (2, 99)`);

    expect(verdicts(error)).toEqual({ ...none, foreignKey: true });
    expect(isForeignKeyViolation(error, 'children_parent_id_fkey')).toBe(true);
    expect(isForeignKeyViolation(error, 'other_fkey')).toBe(false);
  });

  it('recognises a foreign key violation by a delete of the referenced row', async () => {
    const error = await failureOf(`DELETE FROM parents WHERE id = 1`);

    expect(isForeignKeyViolation(error, 'children_parent_id_fkey')).toBe(true);
  });

  it('recognises a check violation, by its constraint name', async () => {
    const error = await failureOf(`UPDATE children SET quantity = 0 WHERE id = 1`);

    expect(verdicts(error)).toEqual({ ...none, check: true });
    expect(isCheckViolation(error, 'children_quantity_check')).toBe(true);
    expect(isCheckViolation(error, 'other_check')).toBe(false);
  });

  it('recognises none of them in other failures', async () => {
    expect(verdicts(await failureOf(`SELECT * FROM missing_table`))).toEqual(none);
    expect(verdicts(await failureOf(`INSERT INTO children (id) VALUES (NULL)`))).toEqual(none);
    expect(verdicts(new Error('duplicate key value violates unique constraint'))).toEqual(none);
    expect(verdicts(undefined)).toEqual(none);
  });
});
