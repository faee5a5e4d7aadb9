import { Module } from '@nestjs/common';
import { RateLimitModule } from '../auth/rate-limit';
import { MembersController } from './members.controller';
import { ProfileVersions } from './profile-versions';

/** Members routes of docs/api.md. Uses the gateway-wide access tokens (AccessTokenModule is global). */
@Module({
  imports: [RateLimitModule],
  controllers: [MembersController],
  providers: [ProfileVersions],
})
export class MembersModule {}
