import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { MemberEntity } from '../members/member.entity';
import { USERS_SCHEMA } from '../shared/schema';

/**
 * The reward a referee earns their referrer, one per referee. `eligible_at` is set when it may be
 * paid (at once for a Telegram sign-up; at email verification or Telegram link for an email
 * sign-up); `paid_at` when it was, within REFERRAL_REWARDS_PER_DAY per referrer and day.
 */
@Entity({ schema: USERS_SCHEMA, name: 'referral_rewards' })
@Check('referral_rewards_paid_check', 'paid_at IS NULL OR eligible_at IS NOT NULL')
// Rewards waiting for a later day, oldest first (the sweep and the per-referrer payment).
@Index('referral_rewards_referrer_id_eligible_at_idx', ['referrerId', 'eligibleAt'])
// The per-day cap counts a referrer's payments of the day.
@Index('referral_rewards_referrer_id_paid_at_idx', ['referrerId', 'paidAt'])
export class ReferralRewardEntity {
  @PrimaryColumn({
    name: 'referee_id',
    type: 'uuid',
    primaryKeyConstraintName: 'referral_rewards_pkey',
  })
  refereeId!: string;

  @ManyToOne(() => MemberEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'referee_id', foreignKeyConstraintName: 'referral_rewards_referee_id_fkey' })
  referee?: MemberEntity;

  @Column({ name: 'referrer_id', type: 'uuid' })
  referrerId!: string;

  @ManyToOne(() => MemberEntity, { onDelete: 'CASCADE' })
  @JoinColumn({
    name: 'referrer_id',
    foreignKeyConstraintName: 'referral_rewards_referrer_id_fkey',
  })
  referrer?: MemberEntity;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'eligible_at', type: 'timestamptz', nullable: true })
  eligibleAt!: Date | null;

  @Column({ name: 'paid_at', type: 'timestamptz', nullable: true })
  paidAt!: Date | null;
}
