import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource, EntityManager } from 'typeorm';
import { isTransientTransactionFailure } from './postgres-errors';

type IsolationLevel = 'READ COMMITTED' | 'REPEATABLE READ' | 'SERIALIZABLE';

/** One database transaction: its manager, and work to do once it has committed. */
export class Tx {
  private readonly hooks: (() => unknown)[] = [];

  constructor(readonly manager: EntityManager) {}

  /**
   * Runs `hook` after the commit (never for a rolled-back attempt). Hooks run in the order they
   * were added; one that fails is logged and does not fail the caller, whose change is made.
   */
  afterCommit(hook: () => unknown): void {
    this.hooks.push(hook);
  }

  /** @internal */
  get afterCommitHooks(): readonly (() => unknown)[] {
    return this.hooks;
  }
}

/** Thrown inside a transaction to have the runner run it again from the start. */
export class RetryTransaction extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'RetryTransaction';
  }
}

export interface TransactionOptions {
  /** Further failures (e.g. a unique violation on a generated value) worth another attempt. */
  retryWhen?: (error: unknown) => boolean;
  /** Attempts in all; default 5. */
  attempts?: number;
  /** Default READ COMMITTED (PostgreSQL's own default, so it is not set explicitly). */
  isolation?: IsolationLevel;
}

const DEFAULT_ATTEMPTS = 5;

/**
 * Runs a service's writes: one transaction per attempt, run again from the start on a deadlock,
 * a serialization failure, RetryTransaction or `retryWhen`, with a short randomised pause between
 * attempts so that two transactions that collided do not collide again in step. After the commit
 * it runs the transaction's after-commit hooks.
 */
@Injectable()
export class TransactionRunner {
  private readonly logger = new Logger(TransactionRunner.name);

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async run<T>(work: (tx: Tx) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    const attempts = options.attempts ?? DEFAULT_ATTEMPTS;
    const isolation = options.isolation;
    for (let attempt = 1; ; attempt++) {
      let tx: Tx | undefined;
      const inTx = (manager: EntityManager): Promise<T> => {
        tx = new Tx(manager);
        return work(tx);
      };
      try {
        // READ COMMITTED is PostgreSQL's default: naming it would cost a SET TRANSACTION round trip
        // per transaction, which every seat change pays under the event's row lock.
        const result =
          isolation === undefined || isolation === 'READ COMMITTED'
            ? await this.dataSource.transaction(inTx)
            : await this.dataSource.transaction(isolation, inTx);
        if (tx) await this.runHooks(tx);
        return result;
      } catch (error) {
        const retryable =
          error instanceof RetryTransaction ||
          isTransientTransactionFailure(error) ||
          (options.retryWhen?.(error) ?? false);
        if (!retryable || attempt >= attempts) throw error;
        await sleep(Math.random() * 10 * attempt);
      }
    }
  }

  /** Reads outside any transaction. */
  get manager(): EntityManager {
    return this.dataSource.manager;
  }

  private async runHooks(tx: Tx): Promise<void> {
    for (const hook of tx.afterCommitHooks) {
      try {
        await hook();
      } catch (error) {
        this.logger.error({ err: error }, 'after-commit hook failed (the transaction committed)');
      }
    }
  }
}
