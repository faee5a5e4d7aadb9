import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  CoinTransaction,
  CoinTransactionKind,
  COIN_TRANSACTION_KINDS,
  MEMBER_ROLES,
  MemberRole,
  PrivateProfile,
  PublicProfile,
  PageWindow,
} from '@up/contracts';

// OpenAPI descriptions of the member shapes (the contracts hold them as interfaces).

export class PrivateProfileResponse implements PrivateProfile {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ type: Number, nullable: true, example: 279058397 }) telegram_id!: number | null;
  @ApiProperty({ type: String, nullable: true }) username!: string | null;
  @ApiProperty() full_name!: string;
  @ApiProperty({ type: String, nullable: true }) first_name!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'email' }) email!: string | null;
  @ApiProperty({ type: String, nullable: true }) photo_url!: string | null;
  @ApiProperty({ enum: MEMBER_ROLES }) role!: MemberRole;
  @ApiProperty({ description: 'UP coins balance' }) up_coins!: number;
  @ApiProperty({ example: 'UP-7K2Q9Z' }) referral_code!: string;
  @ApiProperty({ type: String, nullable: true, format: 'uuid' }) referred_by!: string | null;
  @ApiProperty() achievements_count!: number;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) last_login!: string | null;
}

export class PublicProfileResponse implements PublicProfile {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() full_name!: string;
  @ApiProperty({ enum: MEMBER_ROLES }) role!: MemberRole;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty() achievements_count!: number;
  @ApiProperty({ example: 'UP-7K2Q9Z' }) referral_code!: string;
  @ApiProperty({ type: String, nullable: true }) photo_url!: string | null;
}

export class PublicProfilePageResponse {
  @ApiProperty({ enum: [true] }) success!: true;
  @ApiProperty({ type: PublicProfileResponse }) user!: PublicProfileResponse;
}

export class ReferralsResponse {
  @ApiProperty() count!: number;
  @ApiProperty({ type: [PublicProfileResponse] }) referrals!: PublicProfileResponse[];
}

export class CoinTransactionResponse implements CoinTransaction {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ description: 'Negative for a debit' }) amount!: number;
  @ApiProperty() balance_after!: number;
  @ApiProperty({ enum: COIN_TRANSACTION_KINDS }) kind!: CoinTransactionKind;
  @ApiProperty() reason!: string;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
}

export class CoinsResponse extends PageWindow {
  @ApiProperty() balance!: number;
  @ApiProperty({ type: [CoinTransactionResponse], description: 'Newest first' })
  transactions!: CoinTransactionResponse[];
}

export class PublicProfileNotFoundResponse {
  @ApiProperty({ enum: [false] }) success!: false;
  @ApiProperty({ example: 404 }) statusCode!: number;
  @ApiProperty() message!: string;
  @ApiPropertyOptional() detail?: string;
}
