import {
  Check,
  Column,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';
import { MemberEntity } from '../members/member.entity';
import { USERS_SCHEMA } from '../shared/schema';

/**
 * The steps of a merge after its first transaction, in order; `step` is the next one to run.
 * WIRE VALUES (stored): add, do not rename.
 */
export const MERGE_STEPS = ['events', 'sessions', 'coins', 'done'] as const;
export type MergeStep = (typeof MERGE_STEPS)[number];

/** What proved that one person holds both members. WIRE VALUES (stored). */
export const MERGE_CAUSES = ['telegram_link', 'email_verification'] as const;
export type MergeCause = (typeof MERGE_CAUSES)[number];

/**
 * One merge of two members of one person (`from` absorbed into `into`): the saga's state. The
 * first transaction (identities, referrals, achievements, deactivation) writes the row at step
 * `events`; each later step is idempotent and moves `step` on; the sweep resumes a row whose
 * `next_attempt_at` has passed.
 */
@Entity({ schema: USERS_SCHEMA, name: 'member_merges' })
@Check('member_merges_step_check', `step IN ('events', 'sessions', 'coins', 'done')`)
@Check('member_merges_cause_check', `cause IN ('telegram_link', 'email_verification')`)
@Check('member_merges_distinct_check', 'from_member_id <> into_member_id')
// A member is absorbed once.
@Index('member_merges_from_member_id_key', ['fromMemberId'], { unique: true })
@Index('member_merges_into_member_id_idx', ['intoMemberId'])
// The sweep's work: unfinished merges by due time.
@Index('member_merges_due_idx', ['nextAttemptAt'], { where: `step <> 'done'` })
export class MemberMergeEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'member_merges_pkey' })
  id!: string;

  @Column({ name: 'from_member_id', type: 'uuid' })
  fromMemberId!: string;

  @ManyToOne(() => MemberEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({
    name: 'from_member_id',
    foreignKeyConstraintName: 'member_merges_from_member_id_fkey',
  })
  from?: MemberEntity;

  @Column({ name: 'into_member_id', type: 'uuid' })
  intoMemberId!: string;

  @ManyToOne(() => MemberEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({
    name: 'into_member_id',
    foreignKeyConstraintName: 'member_merges_into_member_id_fkey',
  })
  into?: MemberEntity;

  @Column({ type: 'varchar', length: 24 })
  cause!: MergeCause;

  @Column({ type: 'varchar', length: 16 })
  step!: MergeStep;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  /** When the sweep may (re)try the next step; also a lease while one replica works on it. */
  @Column({ name: 'next_attempt_at', type: 'timestamptz', default: () => 'now()' })
  nextAttemptAt!: Date;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt!: Date | null;
}
