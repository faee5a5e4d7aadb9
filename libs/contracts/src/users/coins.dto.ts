import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsInt,
  IsIn,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { AchievementCode, ACHIEVEMENT_CODES } from './achievements';
import { PageQueryDto } from '../pagination/page-query';

/** The largest single debit or credit (the balance is a 32-bit integer). */
export const MAX_COIN_AMOUNT = 1_000_000;
/** Printable ASCII without spaces, e.g. `join:<event id>:<member id>`. */
export const IDEMPOTENCY_KEY_REGEX = /^[\x21-\x7e]{1,200}$/;

/** `users.get_coins`: the balance and a page of the ledger, newest first. */
export class GetCoinsDto extends PageQueryDto {
  @IsUUID()
  member_id!: string;
}

/**
 * `users.debit_coins` and `users.credit_coins`. The idempotency key makes the call safe to repeat
 * (at-least-once delivery, retries): the same key answers as the first time and changes nothing;
 * the same key with another member, amount or direction is IDEMPOTENCY_KEY_REUSED.
 */
export class CoinChangeDto {
  @IsUUID()
  member_id!: string;

  @IsInt()
  @Min(1)
  @Max(MAX_COIN_AMOUNT)
  amount!: number;

  @IsString()
  @Matches(IDEMPOTENCY_KEY_REGEX, {
    message: 'idempotency_key must be 1 to 200 printable characters',
  })
  idempotency_key!: string;

  /** Shown in the member's ledger, e.g. `Event: Board games night`. */
  @IsString()
  @Length(1, 200)
  reason!: string;
}

export class DebitCoinsDto extends CoinChangeDto {}

export class CreditCoinsDto extends CoinChangeDto {}

/** The most debits one `users.debit_coins_many` carries. */
export const MAX_DEBIT_BATCH = 200;

/**
 * `users.debit_coins_many`: several debits (of distinct idempotency keys) in one call and one
 * transaction, e.g. the seats of one event reserved together. Each is applied, or refused, exactly
 * as `users.debit_coins` would; a refusal of one does not stop the others.
 */
export class DebitCoinsManyDto {
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_DEBIT_BATCH)
  @ValidateNested({ each: true })
  @Type(() => DebitCoinsDto)
  debits!: DebitCoinsDto[];
}

/** `users.award_achievement`: idempotent, `awarded` is false when the member already had it. */
export class AwardAchievementDto {
  @IsUUID()
  member_id!: string;

  @IsIn(ACHIEVEMENT_CODES)
  code!: AchievementCode;
}
