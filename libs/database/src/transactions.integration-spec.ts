import { Logger } from '@nestjs/common';
import { DataSource, QueryFailedError } from 'typeorm';
import { createTestDataSource, TestDataSource } from '@up/testing';
import { PgErrorCode } from './postgres-errors';
import { queryOne, queryRows } from './query-rows';
import { RetryTransaction, TransactionRunner, Tx } from './transactions';

/** Resolves for everyone once `parties` callers have arrived; later arrivals pass straight on. */
function barrier(parties: number): () => Promise<void> {
  let arrived = 0;
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return () => {
    arrived += 1;
    if (arrived === parties) open();
    return opened;
  };
}

describe(TransactionRunner.name, () => {
  let db: TestDataSource;
  let dataSource: DataSource;
  let sut: TransactionRunner;

  beforeAll(async () => {
    db = await createTestDataSource({ max: 4 });
    dataSource = db.dataSource;
    await dataSource.query(`CREATE TABLE accounts (id int PRIMARY KEY, balance int NOT NULL)`);
    await dataSource.query(`CREATE TABLE notes (id int PRIMARY KEY, body text NOT NULL)`);
    sut = new TransactionRunner(dataSource);
  });

  beforeEach(async () => {
    await dataSource.query(`TRUNCATE accounts, notes`);
    await dataSource.query(`INSERT INTO accounts (id, balance) VALUES (1, 0), (2, 0)`);
  });

  afterEach(() => {
    jest.restoreAllMocks();
  });

  afterAll(async () => {
    await db?.close();
  });

  async function balances(): Promise<number[]> {
    const rows = await queryRows<{ balance: number }>(
      dataSource,
      `SELECT balance FROM accounts ORDER BY id`,
    );
    return rows.map((row) => row.balance);
  }

  async function noteCount(): Promise<number> {
    const row = await queryOne<{ count: number }>(
      dataSource,
      `SELECT count(*)::int AS count FROM notes`,
    );
    return row?.count ?? -1;
  }

  /**
   * Two transactions each lock one account, wait until the other holds its lock, then lock the
   * other account: PostgreSQL aborts one of them with a deadlock (on the first attempt only; the
   * barrier is open for reruns).
   */
  function crossedLocks(attempts: number): {
    run: (first: number, second: number) => Promise<void>;
    calls: () => number;
  } {
    const bothLocked = barrier(2);
    let calls = 0;
    const run = (first: number, second: number) =>
      sut.run(
        async (tx) => {
          calls += 1;
          const lock = `UPDATE accounts SET balance = balance + 1 WHERE id = $1`;
          await queryRows(tx.manager, lock, [first]);
          await bothLocked();
          await queryRows(tx.manager, lock, [second]);
        },
        { attempts },
      );
    return { run, calls: () => calls };
  }

  describe('retries', () => {
    it('lets a deadlock through when there are no attempts left (the scenario deadlocks)', async () => {
      const { run } = crossedLocks(1);

      const outcomes = await Promise.allSettled([run(1, 2), run(2, 1)]);

      const failures = outcomes.filter((outcome) => outcome.status === 'rejected');
      expect(failures).toHaveLength(1);
      const error = (failures[0] as PromiseRejectedResult).reason as QueryFailedError;
      expect(error).toBeInstanceOf(QueryFailedError);
      expect((error.driverError as { code?: string }).code).toBe(PgErrorCode.DEADLOCK_DETECTED);
      expect(await balances()).toEqual([1, 1]);
    });

    it('reruns the transaction a deadlock aborted, and both finish', async () => {
      const { run, calls } = crossedLocks(5);

      await Promise.all([run(1, 2), run(2, 1)]);

      expect(calls()).toBe(3);
      expect(await balances()).toEqual([2, 2]);
    });

    it('reruns a transaction that failed to serialize (REPEATABLE READ lost update)', async () => {
      const bothRead = barrier(2);
      let calls = 0;
      const increment = () =>
        sut.run(
          async (tx) => {
            calls += 1;
            const row = await queryOne<{ balance: number }>(
              tx.manager,
              `SELECT balance FROM accounts WHERE id = 1`,
            );
            await bothRead();
            await queryRows(tx.manager, `UPDATE accounts SET balance = $1 WHERE id = 1`, [
              (row?.balance ?? 0) + 1,
            ]);
          },
          { isolation: 'REPEATABLE READ' },
        );

      await Promise.all([increment(), increment()]);

      expect(calls).toBe(3);
      expect(await balances()).toEqual([2, 0]);
    });

    it('reruns from the start on RetryTransaction, the first attempt rolled back', async () => {
      let calls = 0;

      const result = await sut.run(async (tx) => {
        calls += 1;
        await queryRows(tx.manager, `INSERT INTO notes (id, body) VALUES (1, $1)`, [
          `attempt ${calls}`,
        ]);
        if (calls === 1) throw new RetryTransaction('try again');
        return calls;
      });

      expect(result).toBe(2);
      expect(await queryRows(dataSource, `SELECT id, body FROM notes ORDER BY id`)).toEqual([
        { id: 1, body: 'attempt 2' },
      ]);
    });

    it('gives up after `attempts`, with the last failure', async () => {
      let calls = 0;
      const failing = sut.run(
        async () => {
          calls += 1;
          throw new RetryTransaction(`attempt ${calls}`);
        },
        { attempts: 3 },
      );

      await expect(failing).rejects.toThrow('attempt 3');
      expect(calls).toBe(3);
    });

    it('reruns on what `retryWhen` accepts, and not on other failures', async () => {
      let calls = 0;
      const retryWhen = (error: unknown) => error instanceof Error && error.message === 'flaky';

      await sut.run(
        async () => {
          calls += 1;
          if (calls === 1) throw new Error('flaky');
        },
        { retryWhen },
      );
      expect(calls).toBe(2);

      calls = 0;
      await expect(
        sut.run(
          async () => {
            calls += 1;
            throw new Error('broken');
          },
          { retryWhen },
        ),
      ).rejects.toThrow('broken');
      expect(calls).toBe(1);
    });

    it('runs at the isolation level asked for', async () => {
      const level = (isolation?: 'SERIALIZABLE') =>
        sut.run(
          async (tx) =>
            (
              await queryOne<{ transaction_isolation: string }>(
                tx.manager,
                `SHOW transaction_isolation`,
              )
            )?.transaction_isolation,
          isolation ? { isolation } : {},
        );

      await expect(level()).resolves.toBe('read committed');
      await expect(level('SERIALIZABLE')).resolves.toBe('serializable');
    });
  });

  describe('after-commit hooks', () => {
    it('run once, after the commit, in the order they were added', async () => {
      const seen: string[] = [];

      await sut.run(async (tx) => {
        await queryRows(tx.manager, `INSERT INTO notes (id, body) VALUES (1, 'committed')`);
        tx.afterCommit(async () => {
          // Another connection sees the row only once the transaction has committed.
          seen.push(`first, notes: ${await noteCount()}`);
        });
        tx.afterCommit(() => seen.push('second'));
        expect(seen).toEqual([]);
      });

      expect(seen).toEqual(['first, notes: 1', 'second']);
    });

    it('never run for an attempt that was rolled back and run again', async () => {
      const hooks: number[] = [];
      let calls = 0;

      await sut.run(async (tx) => {
        calls += 1;
        const attempt = calls;
        tx.afterCommit(() => hooks.push(attempt));
        if (attempt < 3) throw new RetryTransaction('again');
      });

      expect(hooks).toEqual([3]);
    });

    it('never run when the transaction fails', async () => {
      const hook = jest.fn();

      await expect(
        sut.run(async (tx) => {
          await queryRows(tx.manager, `INSERT INTO notes (id, body) VALUES (1, 'doomed')`);
          tx.afterCommit(hook);
          throw new Error('refused');
        }),
      ).rejects.toThrow('refused');

      expect(hook).not.toHaveBeenCalled();
      expect(await noteCount()).toBe(0);
    });

    it('never run when the commit itself fails', async () => {
      await dataSource.query(
        `ALTER TABLE notes ADD CONSTRAINT notes_body_key UNIQUE (body) DEFERRABLE INITIALLY DEFERRED`,
      );
      try {
        const hook = jest.fn();
        await expect(
          sut.run(async (tx) => {
            // A deferred constraint is checked at COMMIT, so the commit is what fails.
            await queryRows(tx.manager, `INSERT INTO notes (id, body) VALUES (1, 'x'), (2, 'x')`);
            tx.afterCommit(hook);
          }),
        ).rejects.toBeInstanceOf(QueryFailedError);
        expect(hook).not.toHaveBeenCalled();
      } finally {
        await dataSource.query(`ALTER TABLE notes DROP CONSTRAINT notes_body_key`);
      }
    });

    it('a failing hook is logged and neither fails the caller nor stops the next hooks', async () => {
      const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
      const next = jest.fn();

      const result = await sut.run(async (tx: Tx) => {
        await queryRows(tx.manager, `INSERT INTO notes (id, body) VALUES (1, 'kept')`);
        tx.afterCommit(async () => {
          throw new Error('Redis away');
        });
        tx.afterCommit(next);
        return 'done';
      });

      expect(result).toBe('done');
      expect(next).toHaveBeenCalledTimes(1);
      expect(logged).toHaveBeenCalledTimes(1);
      expect(await noteCount()).toBe(1);
    });
  });
});
