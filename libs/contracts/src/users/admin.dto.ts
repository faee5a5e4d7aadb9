import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsNotIn,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
} from 'class-validator';
import { IDEMPOTENCY_KEY_REGEX, MAX_COIN_AMOUNT } from './coins.dto';
import { Trim } from '../validation/dto-transforms';
import { MemberRole, MEMBER_ROLES } from './member-roles';
import { PageQueryDto } from '../pagination/page-query';

/**
 * `GET /api/admin/users?search=&limit=&offset=` query and the `users.search` message. `search`
 * matches email, username and names (case-insensitive substring) or a telegram id (exact).
 */
export class SearchMembersDto extends PageQueryDto {
  @IsOptional()
  @Trim()
  @IsString()
  @MaxLength(100)
  search?: string;
}

/**
 * Validated when present: null is refused like any other wrong value (IsOptional would let it
 * through to columns that are NOT NULL).
 */
const isPresent = (_: object, value: unknown) => value !== undefined;

/** `PATCH /api/admin/users/{id}` body. A coin adjustment needs a reason. */
@ApiSchema({ name: 'AdminUpdateMemberBody' })
export class AdminUpdateMemberBodyDto {
  @ApiProperty({ enum: MEMBER_ROLES, required: false })
  @ValidateIf(isPresent)
  @IsIn(MEMBER_ROLES)
  role?: MemberRole;

  @ApiProperty({ required: false, description: 'False deactivates the member' })
  @ValidateIf(isPresent)
  @IsBoolean()
  is_active?: boolean;

  /** Signed; the balance never goes below zero (INSUFFICIENT_COINS otherwise). */
  @ApiProperty({
    type: 'integer',
    required: false,
    description: 'Signed coin adjustment, written to the ledger; the balance never goes below 0',
  })
  @ValidateIf(isPresent)
  @IsInt()
  @Min(-MAX_COIN_AMOUNT)
  @Max(MAX_COIN_AMOUNT)
  @IsNotIn([0], { message: 'coins_delta must not be 0' })
  coins_delta?: number;

  @ApiProperty({
    required: false,
    maxLength: 200,
    description: 'Required with coins_delta; recorded in the ledger',
  })
  @ValidateIf(
    (o: AdminUpdateMemberBodyDto) => o.coins_delta !== undefined || o.reason !== undefined,
  )
  @Trim()
  @IsString()
  @Length(1, 200)
  reason?: string;
}

/**
 * `users.admin_update`. `actor_id` is the administrator (recorded with coin adjustments; an
 * administrator cannot deactivate or demote themself). `idempotency_key` is optional: without it
 * each call is a new adjustment (`admin:<uuid>`).
 */
export class AdminUpdateMemberDto extends AdminUpdateMemberBodyDto {
  @IsUUID()
  member_id!: string;

  @IsUUID()
  actor_id!: string;

  @IsOptional()
  @IsString()
  @Matches(IDEMPOTENCY_KEY_REGEX)
  idempotency_key?: string;
}
