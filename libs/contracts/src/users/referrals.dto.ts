import { ArrayMaxSize, IsArray, IsString, IsUUID, MaxLength } from 'class-validator';
import { NormalizeReferralCode } from '../validation/dto-transforms';
import { MemberIdDto } from './members.dto';

/**
 * `users.get_public_by_referral_code`. Any string is accepted: a malformed code is answered like
 * an unknown one (REFERRAL_CODE_NOT_FOUND, 404), as docs/api.md asks for `/api/users/u/{code}`.
 */
export class GetPublicByReferralCodeDto {
  @NormalizeReferralCode()
  @IsString()
  @MaxLength(64)
  referral_code!: string;
}

export const MAX_PUBLIC_PROFILES_BATCH = 1000;

/** `users.get_public_profiles`: answers in the order of `member_ids`; unknown ids are left out. */
export class GetPublicProfilesDto {
  @IsArray()
  @ArrayMaxSize(MAX_PUBLIC_PROFILES_BATCH)
  @IsUUID(undefined, { each: true })
  member_ids!: string[];
}

export class ListReferralsDto extends MemberIdDto {}
