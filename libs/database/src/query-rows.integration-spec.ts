import { DataSource } from 'typeorm';
import { createTestDataSource, TestDataSource } from '@up/testing';
import { queryOne, queryRows, Queryable } from './query-rows';

const POOL_SIZE = 2;

interface Item {
  id: number;
  name: string;
}

describe(queryRows.name, () => {
  let db: TestDataSource;
  let dataSource: DataSource;

  beforeAll(async () => {
    db = await createTestDataSource({
      max: POOL_SIZE,
      // A connection that was not given back then fails the next statements fast, not by timeout.
      connectionTimeoutMillis: 2000,
    });
    dataSource = db.dataSource;
    await dataSource.query(`CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL)`);
  });

  beforeEach(async () => {
    await dataSource.query(`TRUNCATE items`);
    await dataSource.query(`INSERT INTO items (id, name) VALUES (1, 'one'), (2, 'two')`);
  });

  afterAll(async () => {
    await db?.close();
  });

  const statements: [kind: string, sql: string, params: unknown[], rows: Item[]][] = [
    [
      'SELECT',
      `SELECT id, name FROM items ORDER BY id`,
      [],
      [
        { id: 1, name: 'one' },
        { id: 2, name: 'two' },
      ],
    ],
    ['SELECT of nothing', `SELECT id, name FROM items WHERE id = 99`, [], []],
    [
      'INSERT ... RETURNING',
      `INSERT INTO items (id, name) VALUES ($1, $2) RETURNING id, name`,
      [3, 'three'],
      [{ id: 3, name: 'three' }],
    ],
    [
      'UPDATE ... RETURNING',
      `UPDATE items SET name = upper(name) RETURNING id, name`,
      [],
      [
        { id: 1, name: 'ONE' },
        { id: 2, name: 'TWO' },
      ],
    ],
    [
      'UPDATE ... RETURNING of nothing',
      `UPDATE items SET name = 'x' WHERE id = 99 RETURNING id, name`,
      [],
      [],
    ],
    [
      'DELETE ... RETURNING',
      `DELETE FROM items WHERE id = $1 RETURNING id, name`,
      [2],
      [{ id: 2, name: 'two' }],
    ],
  ];

  const places: [place: string, run: <T>(sql: string, params: unknown[]) => Promise<T[]>][] = [
    ['on the DataSource', (sql, params) => queryRows(dataSource, sql, params)],
    ['on the pool manager', (sql, params) => queryRows(dataSource.manager, sql, params)],
    [
      'in a transaction',
      (sql, params) => dataSource.transaction((manager) => queryRows(manager, sql, params)),
    ],
  ];

  describe.each(places)('%s', (_place, run) => {
    it.each(statements)('answers the rows of %s', async (_kind, sql, params, rows) => {
      const answered = await run<Item>(sql, params);
      expect([...answered].sort((a, b) => a.id - b.id)).toEqual(rows);
    });
  });

  it('runs on the transaction’s own connection (rolled back with it)', async () => {
    await expect(
      dataSource.transaction(async (manager) => {
        await queryRows(manager, `DELETE FROM items RETURNING id`);
        const seen = await queryRows<Item>(manager, `SELECT id FROM items`);
        expect(seen).toEqual([]);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');

    expect(await queryRows(dataSource, `SELECT id FROM items ORDER BY id`)).toEqual([
      { id: 1 },
      { id: 2 },
    ]);
  });

  it('gives back the pooled connection it took, also when the statement fails', async () => {
    const many = POOL_SIZE * 3;
    const failures = await Promise.allSettled(
      Array.from({ length: many }, () => queryRows(dataSource, `SELECT * FROM missing_table`)),
    );
    expect(failures.every((outcome) => outcome.status === 'rejected')).toBe(true);

    // With a leaked connection the pool would be empty and these would wait forever.
    const answers = await Promise.all(
      Array.from({ length: many }, (_, i) =>
        queryRows<{ n: number }>(dataSource, `SELECT $1::int AS n`, [i]),
      ),
    );
    expect(answers.map(([row]) => row.n)).toEqual(Array.from({ length: many }, (_, i) => i));
  });

  describe(queryOne.name, () => {
    const db = (): Queryable => dataSource;

    it('answers the first row', async () => {
      await expect(
        queryOne<Item>(db(), `UPDATE items SET name = 'uno' WHERE id = 1 RETURNING id, name`),
      ).resolves.toEqual({ id: 1, name: 'uno' });
    });

    it('answers undefined when there is no row', async () => {
      await expect(
        queryOne<Item>(db(), `DELETE FROM items WHERE id = 99 RETURNING id, name`),
      ).resolves.toBeUndefined();
    });
  });
});
