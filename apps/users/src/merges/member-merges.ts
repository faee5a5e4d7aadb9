import { Injectable, Logger } from '@nestjs/common';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { BusClient } from '@up/bus';
import { AUTH, CoinTransactionKind, EVENTS, MEMBER_EVENTS, MemberRole } from '@up/contracts';
import { CoinLedger } from '../coins/coin-ledger';
import { UsersConfig } from '../config/users.config';
import { MemberEntity } from '../members/member.entity';
import { MemberTransactions, MemberTx } from '../members/member-transactions';
import { MembersRepository } from '../members/members.repository';
import { MergeCause, MergeStep } from './member-merge.entity';
import { MemberMergesRepository, MergeRow } from './member-merges.repository';

/** How long a replica driving a merge holds it: longer than a bus call may take. */
const DRIVE_LEASE_MS = 60_000;
const ROLE_RANK: Record<MemberRole, number> = {
  [MemberRole.MEMBER]: 0,
  [MemberRole.ORGANIZER]: 1,
  [MemberRole.ADMIN]: 2,
};

export function mergeCoinKeys(mergeId: string): { out: string; in: string } {
  return { out: `merge:${mergeId}:out`, in: `merge:${mergeId}:in` };
}

/**
 * Merging two members of one person (the one who proved holding both: `into` survives, `from` is
 * absorbed). A saga with idempotent steps, its state in `users.member_merges`:
 *
 *   absorb (the caller's transaction): identities move to the survivor (Telegram id, and the
 *     email, password, username, photo it lacks; cleared on the absorbed first, for the unique
 *     indexes), referees and referral rewards move, achievements combine, the higher role stays,
 *     the absorbed member is deactivated with `merged_into` (its referral code then shows the
 *     survivor), `member.updated` for both; the merge row at step `events`.
 *   events: `events.transfer_member` moves seats and waitlist places (a duplicate seat is
 *     refunded to the absorbed member, whose coins move next). Idempotent by state.
 *   sessions: `auth-codes.revoke_member_tokens` of the absorbed member.
 *   coins: the absorbed member's whole balance through the ledger, one entry each side
 *     (`merge:<id>:out`, `merge:<id>:in`), and `member.merged`, with the step `done`.
 *
 * The request that starts a merge drives it at once; a step that fails (a service down) is retried
 * by MergeSweep on every replica, with a doubling delay, until it succeeds.
 */
@Injectable()
export class MemberMerges {
  private readonly logger = new Logger(MemberMerges.name);

  constructor(
    private readonly transactions: MemberTransactions,
    private readonly members: MembersRepository,
    private readonly merges: MemberMergesRepository,
    private readonly ledger: CoinLedger,
    private readonly bus: BusClient,
    private readonly config: UsersConfig,
  ) {}

  /**
   * The first step, in `tx`, which holds both members' row locks. Answers the merge and the
   * survivor as it now stands.
   */
  async absorb(
    tx: MemberTx,
    args: { survivor: MemberEntity; absorbed: MemberEntity; cause: MergeCause },
  ): Promise<{ merge: MergeRow; survivor: MemberEntity }> {
    const { survivor, absorbed } = args;
    await this.members.applyChanges(tx, absorbed.id, {
      telegramId: null,
      email: null,
      emailVerifiedAt: null,
      passwordHash: null,
      username: null,
      isActive: false,
      mergedInto: survivor.id,
    });
    const changes: QueryDeepPartialEntity<MemberEntity> = {};
    if (survivor.telegramId === null && absorbed.telegramId !== null) {
      changes.telegramId = absorbed.telegramId;
    }
    if (survivor.email === null && absorbed.email !== null) {
      changes.email = absorbed.email;
      changes.emailVerifiedAt = absorbed.emailVerifiedAt;
    }
    if (survivor.passwordHash === null && absorbed.passwordHash !== null) {
      changes.passwordHash = absorbed.passwordHash;
    }
    if (survivor.username === null && absorbed.username !== null) {
      changes.username = absorbed.username;
    }
    if (survivor.photoUrl === null && absorbed.photoUrl !== null) {
      changes.photoUrl = absorbed.photoUrl;
    }
    if (survivor.languageCode === null && absorbed.languageCode !== null) {
      changes.languageCode = absorbed.languageCode;
    }
    if (ROLE_RANK[absorbed.role] > ROLE_RANK[survivor.role]) changes.role = absorbed.role;
    await this.merges.moveReferrals(tx, { from: absorbed.id, into: survivor.id });
    changes.achievementsCount = await this.merges.combineAchievements(tx, {
      from: absorbed.id,
      into: survivor.id,
    });
    const merged = await this.members.applyChanges(tx, survivor.id, changes);
    const merge = await this.merges.create(tx, {
      fromMemberId: absorbed.id,
      intoMemberId: survivor.id,
      cause: args.cause,
    });
    this.logger.log(
      { mergeId: merge.id, from: absorbed.id, into: survivor.id, cause: args.cause },
      'members merging',
    );
    return { merge, survivor: merged };
  }

  /**
   * Runs the merge's remaining steps, as far as they go; answers the step reached (`done` when
   * complete). `start` (the request that began it) takes it even if a lease is held; bus calls
   * wait at most `timeoutMs` (the caller's own deadline), the sweep's the bus default.
   */
  async drive(
    mergeId: string,
    options: { start?: boolean; timeoutMs?: number } = {},
  ): Promise<MergeStep> {
    const manager = this.transactions.manager;
    const merge = await this.merges.claim(manager, {
      id: mergeId,
      leaseMs: DRIVE_LEASE_MS,
      force: options.start,
    });
    if (!merge) return (await this.merges.find(manager, mergeId))?.step ?? 'done';
    const call = options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs };
    let step = merge.step;
    try {
      if (step === 'events') {
        await this.bus.send(
          EVENTS.TRANSFER_MEMBER,
          { from: merge.fromMemberId, to: merge.intoMemberId, merge_id: merge.id },
          call,
        );
        step = await this.advance(merge.id, 'events', 'sessions');
      }
      if (step === 'sessions') {
        await this.bus.send(AUTH.REVOKE_MEMBER_TOKENS, { member_id: merge.fromMemberId }, call);
        step = await this.advance(merge.id, 'sessions', 'coins');
      }
      if (step === 'coins') {
        await this.transactions.run((tx) => this.moveCoins(tx, merge));
        step = 'done';
        this.logger.log({ mergeId: merge.id }, 'members merged');
      }
    } catch (error) {
      const attempts = await this.merges.attemptsOf(manager, merge.id);
      const base = Math.max(this.config.MERGE_SWEEP_INTERVAL_MS, 100);
      await this.merges.recordFailure(manager, {
        id: merge.id,
        error: error instanceof Error ? error.message : String(error),
        delayMs: Math.min(base * 2 ** attempts, base * 60),
      });
      this.logger.warn(
        { err: error, mergeId: merge.id, step },
        'merge step failed; the merge sweep retries it',
      );
    }
    return step;
  }

  private async advance(id: string, from: MergeStep, to: MergeStep): Promise<MergeStep> {
    await this.merges.advance(this.transactions.manager, { id, from, to });
    return to;
  }

  /** The last step, once: under the merge row's lock, at step `coins` only. */
  private async moveCoins(tx: MemberTx, merge: MergeRow): Promise<void> {
    if ((await this.merges.lockStep(tx, merge.id)) !== 'coins') return;
    // Both rows in id order, as every path that locks two members does.
    const [first, second] = [merge.fromMemberId, merge.intoMemberId].sort();
    await this.members.getByIdForUpdate(tx, first);
    await this.members.getByIdForUpdate(tx, second);
    const absorbed = await this.members.getById(tx.manager, merge.fromMemberId);
    const keys = mergeCoinKeys(merge.id);
    if (absorbed.upCoins > 0) {
      await this.ledger.apply(tx, {
        memberId: merge.fromMemberId,
        amount: -absorbed.upCoins,
        kind: CoinTransactionKind.MERGE,
        reason: 'Merged into your other account',
        idempotencyKey: keys.out,
      });
      await this.ledger.apply(tx, {
        memberId: merge.intoMemberId,
        amount: absorbed.upCoins,
        kind: CoinTransactionKind.MERGE,
        reason: 'Coins of your other account (merged)',
        idempotencyKey: keys.in,
      });
    }
    tx.publish(MEMBER_EVENTS.MERGED, {
      merge_id: merge.id,
      from: merge.fromMemberId,
      into: merge.intoMemberId,
    });
    await this.merges.advance(tx.manager, { id: merge.id, from: 'coins', to: 'done' });
  }
}
