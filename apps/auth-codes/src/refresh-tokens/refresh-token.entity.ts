import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { AUTH_SCHEMA } from '../shared/schema';
import { SessionEntity } from './session.entity';

/**
 * One refresh token of a family. A sign-in starts a family; every refresh rotates the family's
 * live token (sets `rotated_at`) and adds the next one. Only the SHA-256 of a token is stored.
 * A family is live while it holds a token that is neither rotated, revoked nor expired.
 */
@Entity({ schema: AUTH_SCHEMA, name: 'refresh_tokens' })
@Index('refresh_tokens_family_id_idx', ['familyId'])
@Index('refresh_tokens_member_id_idx', ['memberId'])
@Index('refresh_tokens_expires_at_idx', ['expiresAt'])
export class RefreshTokenEntity {
  // The migration's default is gen_random_uuid() (built in since PostgreSQL 13).
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'refresh_tokens_pkey' })
  id!: string;

  /** SHA-256 of the token (32 bytes). */
  @Index('refresh_tokens_token_hash_key', { unique: true })
  @Column({ name: 'token_hash', type: 'bytea' })
  tokenHash!: Buffer;

  /** The family: the session (`SessionEntity.id`) this token belongs to. */
  @Column({ name: 'family_id', type: 'uuid' })
  familyId!: string;

  @ManyToOne(() => SessionEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'family_id', foreignKeyConstraintName: 'refresh_tokens_family_id_fkey' })
  session?: SessionEntity;

  @Column({ name: 'member_id', type: 'uuid' })
  memberId!: string;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  /** When this token was exchanged for the next one; presenting it again is reuse. */
  @Column({ name: 'rotated_at', type: 'timestamptz', nullable: true })
  rotatedAt!: Date | null;

  /** When its family was revoked (logout, logout everywhere, or detected reuse). */
  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;
}
