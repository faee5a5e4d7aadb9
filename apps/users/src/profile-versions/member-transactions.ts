import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { isTransientTransactionFailure } from '../shared/postgres-errors';
import { ProfileVersionPublisher } from './profile-version.publisher';

/** One database transaction of the users service, remembering which members it changed. */
export class MemberTx {
  private readonly changed = new Map<string, number>();

  constructor(readonly manager: EntityManager) {}

  /** Records that `memberId`'s profile is now at `version` (published after the commit). */
  memberChanged(memberId: string, version: number): void {
    this.changed.set(memberId, Math.max(this.changed.get(memberId) ?? 0, version));
  }

  get changedVersions(): ReadonlyMap<string, number> {
    return this.changed;
  }
}

/** Thrown inside a transaction to have MemberTransactions run it again from the start. */
export class RetryTransaction extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'RetryTransaction';
  }
}

export interface RunOptions {
  /** Further failures (e.g. a unique violation on a generated value) worth another attempt. */
  retryWhen?: (error: unknown) => boolean;
  /** Attempts in all; default 5. */
  attempts?: number;
}

/**
 * Runs the users service's writes: one READ COMMITTED transaction per call, run again on
 * deadlocks, serialization failures and RetryTransaction, then publishes the profile versions of
 * the members it changed (after the commit, so Redis never announces an uncommitted version).
 */
@Injectable()
export class MemberTransactions {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly versions: ProfileVersionPublisher,
  ) {}

  async run<T>(work: (tx: MemberTx) => Promise<T>, options: RunOptions = {}): Promise<T> {
    const attempts = options.attempts ?? 5;
    for (let attempt = 1; ; attempt++) {
      let tx: MemberTx | undefined;
      try {
        const result = await this.dataSource.transaction(async (manager) => {
          tx = new MemberTx(manager);
          return work(tx);
        });
        if (tx) await this.versions.publish(tx.changedVersions);
        return result;
      } catch (error) {
        const retryable =
          error instanceof RetryTransaction ||
          isTransientTransactionFailure(error) ||
          (options.retryWhen?.(error) ?? false);
        if (!retryable || attempt >= attempts) throw error;
      }
    }
  }

  /** A read outside any transaction. */
  get manager(): EntityManager {
    return this.dataSource.manager;
  }
}
