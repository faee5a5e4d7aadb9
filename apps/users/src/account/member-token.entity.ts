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

/** What a token proves when it comes back. WIRE NAMES (stored): add, do not rename. */
export const MemberTokenPurpose = {
  /** Receives mail at `email` (the member's address, or the new one they asked for). */
  EMAIL_VERIFICATION: 'email_verification',
  /** May set a new password. */
  PASSWORD_RESET: 'password_reset',
} as const;
export type MemberTokenPurpose = (typeof MemberTokenPurpose)[keyof typeof MemberTokenPurpose];

/**
 * One-time tokens sent by mail. Only the SHA-256 of the token is stored, so a leaked table gives
 * nobody a working link; a token works once (`used_at`) and until `expires_at`.
 */
@Entity({ schema: USERS_SCHEMA, name: 'member_tokens' })
@Check('member_tokens_purpose_check', `purpose IN ('email_verification', 'password_reset')`)
@Index('member_tokens_member_id_purpose_idx', ['memberId', 'purpose'])
export class MemberTokenEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'member_tokens_pkey' })
  id!: string;

  @Column({ name: 'member_id', type: 'uuid' })
  memberId!: string;

  @ManyToOne(() => MemberEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'member_id', foreignKeyConstraintName: 'member_tokens_member_id_fkey' })
  member?: MemberEntity;

  @Column({ type: 'varchar', length: 32 })
  purpose!: MemberTokenPurpose;

  /** SHA-256 of the token, hex. */
  @Index('member_tokens_token_hash_key', { unique: true })
  @Column({ name: 'token_hash', type: 'char', length: 64 })
  tokenHash!: string;

  /** The address an email verification proves (a change of email carries the new one here). */
  @Column({ type: 'varchar', length: 254, nullable: true })
  email!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ name: 'used_at', type: 'timestamptz', nullable: true })
  usedAt!: Date | null;
}
