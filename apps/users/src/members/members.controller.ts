import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  GetByTelegramIdDto,
  GetProfileDto,
  GetStandingDto,
  MemberProfileResult,
  MemberStanding,
  RecordLoginDto,
  SignInResult,
  UpdateProfileDto,
  UpsertTelegramMemberDto,
  UpsertTelegramResult,
  USERS,
} from '@up/contracts';
import { MembersService } from './members.service';

@Controller()
export class MembersController {
  constructor(private readonly members: MembersService) {}

  @MessagePattern(USERS.GET_PROFILE)
  getProfile(@Payload() dto: GetProfileDto): Promise<MemberProfileResult> {
    return this.members.getProfile(dto);
  }

  @MessagePattern(USERS.GET_STANDING)
  getStanding(@Payload() dto: GetStandingDto): Promise<MemberStanding> {
    return this.members.getStanding(dto);
  }

  @MessagePattern(USERS.GET_BY_TELEGRAM_ID)
  getByTelegramId(@Payload() dto: GetByTelegramIdDto): Promise<MemberProfileResult> {
    return this.members.getByTelegramId(dto);
  }

  @MessagePattern(USERS.UPSERT_TELEGRAM)
  upsertTelegram(@Payload() dto: UpsertTelegramMemberDto): Promise<UpsertTelegramResult> {
    return this.members.upsertTelegram(dto);
  }

  @MessagePattern(USERS.RECORD_LOGIN)
  recordLogin(@Payload() dto: RecordLoginDto): Promise<SignInResult> {
    return this.members.recordLogin(dto);
  }

  @MessagePattern(USERS.UPDATE_PROFILE)
  updateProfile(@Payload() dto: UpdateProfileDto): Promise<MemberProfileResult> {
    return this.members.updateProfile(dto);
  }
}
