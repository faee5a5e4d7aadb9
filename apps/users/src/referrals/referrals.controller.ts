import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  GetPublicByReferralCodeDto,
  GetPublicProfilesDto,
  ListReferralsDto,
  PublicProfile,
  ReferralsResult,
  USERS,
} from '@up/contracts';
import { ReferralsService } from './referrals.service';

@Controller()
export class ReferralsController {
  constructor(private readonly referrals: ReferralsService) {}

  @MessagePattern(USERS.GET_PUBLIC_BY_REFERRAL_CODE)
  getPublicByReferralCode(@Payload() dto: GetPublicByReferralCodeDto): Promise<PublicProfile> {
    return this.referrals.getPublicByReferralCode(dto);
  }

  @MessagePattern(USERS.GET_PUBLIC_PROFILES)
  getPublicProfiles(@Payload() dto: GetPublicProfilesDto): Promise<PublicProfile[]> {
    return this.referrals.getPublicProfiles(dto);
  }

  @MessagePattern(USERS.LIST_REFERRALS)
  listReferrals(@Payload() dto: ListReferralsDto): Promise<ReferralsResult> {
    return this.referrals.listReferrals(dto);
  }
}
