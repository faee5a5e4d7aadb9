import {
  Check,
  Column,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';
import { CoinTransactionKind } from '@up/contracts';
import { MemberEntity } from '../members/member.entity';
import { USERS_SCHEMA } from '../shared/schema';

/**
 * The coin ledger: one row per balance change, written in the same transaction as the member's
 * `up_coins`. The unique idempotency key is what makes a repeated debit or credit a no-op.
 */
@Entity({ schema: USERS_SCHEMA, name: 'coin_transactions' })
@Check('coin_transactions_amount_check', 'amount <> 0')
@Check('coin_transactions_balance_after_check', 'balance_after >= 0')
@Check(
  'coin_transactions_kind_check',
  `kind IN ('debit', 'credit', 'referral_reward', 'admin_adjustment', 'merge')`,
)
// A member's ledger page, newest first (scanned backwards).
@Index('coin_transactions_member_id_created_at_idx', ['memberId', 'createdAt'])
export class CoinTransactionEntity {
  // The migration's default is gen_random_uuid() (built in since PostgreSQL 13).
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'coin_transactions_pkey' })
  id!: string;

  @Column({ name: 'member_id', type: 'uuid' })
  memberId!: string;

  @ManyToOne(() => MemberEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'member_id', foreignKeyConstraintName: 'coin_transactions_member_id_fkey' })
  member?: MemberEntity;

  /** Signed: negative for a debit. */
  @Column({ type: 'integer' })
  amount!: number;

  @Column({ name: 'balance_after', type: 'integer' })
  balanceAfter!: number;

  @Column({ type: 'varchar', length: 32 })
  kind!: CoinTransactionKind;

  @Column({ type: 'varchar', length: 200 })
  reason!: string;

  @Index('coin_transactions_idempotency_key_key', { unique: true })
  @Column({ name: 'idempotency_key', type: 'varchar', length: 200 })
  idempotencyKey!: string;

  /** The administrator behind an adjustment; null for other kinds. */
  @Column({ name: 'actor_id', type: 'uuid', nullable: true })
  actorId!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}
