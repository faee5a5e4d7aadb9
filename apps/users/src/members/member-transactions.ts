import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { TransactionOptions, TransactionRunner, Tx } from '@up/database';
import { ProfileVersionPublisher } from '../profile-versions/profile-version.publisher';

/** One transaction of the users service: a `Tx` that also remembers which members it changed. */
export class MemberTx {
  private readonly changed = new Map<string, number>();

  constructor(private readonly tx: Tx) {}

  get manager(): EntityManager {
    return this.tx.manager;
  }

  /** Records that `memberId`'s profile is now at `version` (published after the commit). */
  memberChanged(memberId: string, version: number): void {
    this.changed.set(memberId, Math.max(this.changed.get(memberId) ?? 0, version));
  }

  get changedVersions(): ReadonlyMap<string, number> {
    return this.changed;
  }

  afterCommit(hook: () => unknown): void {
    this.tx.afterCommit(hook);
  }
}

/**
 * Runs the users service's writes on the shared TransactionRunner (READ COMMITTED unless asked
 * otherwise; run again on deadlocks, serialization failures, RetryTransaction and `retryWhen`),
 * and publishes the profile versions of the members each transaction changed once it has
 * committed, so Redis never announces an uncommitted version.
 */
@Injectable()
export class MemberTransactions {
  constructor(
    private readonly runner: TransactionRunner,
    private readonly versions: ProfileVersionPublisher,
  ) {}

  run<T>(work: (tx: MemberTx) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    return this.runner.run((tx) => {
      const memberTx = new MemberTx(tx);
      tx.afterCommit(() => this.versions.publish(memberTx.changedVersions));
      return work(memberTx);
    }, options);
  }

  /** Reads outside any transaction. */
  get manager(): EntityManager {
    return this.runner.manager;
  }
}
