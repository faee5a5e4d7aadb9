import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { AchievementCode } from '@up/contracts';
import { MemberEntity } from '../members/member.entity';
import { USERS_SCHEMA } from '../shared/schema';

/** An achievement awarded to a member; each code at most once per member. */
@Entity({ schema: USERS_SCHEMA, name: 'achievements' })
@Index('achievements_member_id_code_key', ['memberId', 'code'], { unique: true })
export class AchievementEntity {
  // The migration's default is gen_random_uuid() (built in since PostgreSQL 13).
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'achievements_pkey' })
  id!: string;

  @Column({ name: 'member_id', type: 'uuid' })
  memberId!: string;

  @ManyToOne(() => MemberEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'member_id', foreignKeyConstraintName: 'achievements_member_id_fkey' })
  member?: MemberEntity;

  @Column({ type: 'varchar', length: 32 })
  code!: AchievementCode;

  @Column({ name: 'awarded_at', type: 'timestamptz', default: () => 'now()' })
  awardedAt!: Date;
}
