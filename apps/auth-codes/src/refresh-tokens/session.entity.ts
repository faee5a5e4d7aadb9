import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { USER_AGENT_MAX_LENGTH } from '@up/contracts';
import { AUTH_SCHEMA } from '../shared/schema';

/**
 * A session: one refresh-token family (`RefreshTokenEntity.familyId` = `id`), started by a sign-in
 * and carried on by every refresh. It holds what the member sees in their session list; whether it
 * is live is its tokens' business (a live family holds a token neither rotated, revoked nor
 * expired). Deleting a session deletes its tokens.
 */
@Entity({ schema: AUTH_SCHEMA, name: 'sessions' })
@Index('sessions_member_id_idx', ['memberId'])
export class SessionEntity {
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'sessions_pkey' })
  id!: string;

  @Column({ name: 'member_id', type: 'uuid' })
  memberId!: string;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  /**
   * The member's session epoch at the sign-in (the users service's, answered by its
   * `record_login`). The gateway refuses a refresh once the member's epoch is newer: the member
   * was deactivated after this session started.
   */
  @Column({ name: 'member_epoch', type: 'integer', default: 0 })
  memberEpoch!: number;

  /** The last sign-in or refresh of the family. */
  @Column({ name: 'last_used_at', type: 'timestamptz', default: () => 'now()' })
  lastUsedAt!: Date;

  /** The client's User-Agent at the last use, cut by the gateway. */
  @Column({
    name: 'user_agent',
    type: 'varchar',
    length: USER_AGENT_MAX_LENGTH,
    nullable: true,
  })
  userAgent!: string | null;

  /**
   * The client's network at the last use (IPv4 /24, IPv6 /48), never the address itself: see
   * client-network.ts. `cidr` refuses a value with host bits set.
   */
  @Column({ name: 'ip_network', type: 'cidr', nullable: true })
  ipNetwork!: string | null;
}
