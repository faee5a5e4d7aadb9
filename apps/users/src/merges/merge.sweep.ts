import { Injectable } from '@nestjs/common';
import { PeriodicSweep } from '@up/health';
import { UsersConfig } from '../config/users.config';
import { MemberTransactions } from '../members/member-transactions';
import { MemberMerges } from './member-merges';
import { MemberMergesRepository } from './member-merges.repository';

/** Merges resumed per round; the next round takes the rest. */
const MERGES_PER_ROUND = 20;

/**
 * Resumes unfinished merges every MERGE_SWEEP_INTERVAL_MS on every replica (0: never): a step
 * that failed (a service was down) once its retry delay passed, or a merge whose driving replica
 * died once its lease ran out. Replicas take different merges (`MemberMergesRepository.claim`).
 */
@Injectable()
export class MergeSweep extends PeriodicSweep {
  constructor(
    config: UsersConfig,
    private readonly transactions: MemberTransactions,
    private readonly merges: MemberMerges,
    private readonly rows: MemberMergesRepository,
  ) {
    super({
      name: 'merge sweep',
      intervalMs: config.MERGE_SWEEP_INTERVAL_MS,
      stopOn: 'module-destroy',
    });
  }

  protected round(): Promise<number> {
    return this.sweepOnce();
  }

  /** One round: answers how many merges it completed. */
  async sweepOnce(): Promise<number> {
    const ids = await this.rows.dueIds(this.transactions.manager, MERGES_PER_ROUND);
    let completed = 0;
    for (const id of ids) {
      if ((await this.merges.drive(id)) === 'done') completed += 1;
    }
    return completed;
  }
}
