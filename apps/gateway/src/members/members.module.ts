import { Module } from '@nestjs/common';
import { RateLimitModule } from '../auth/rate-limit';
import { MembersController } from './members.controller';

/**
 * Members routes of docs/api.md. Uses the gateway-wide access tokens and profile versions
 * (AccessTokenModule is global).
 */
@Module({
  imports: [RateLimitModule],
  controllers: [MembersController],
})
export class MembersModule {}
