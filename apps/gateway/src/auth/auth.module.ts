import { Module } from '@nestjs/common';
import { AccessTokenModule } from './access-token.module';
import { AccountController } from './account.controller';
import { AccountRecoveryController } from './account-recovery.controller';
import { AccountService } from './account.service';
import { AuthRedis } from './auth-redis';
import { LoginFailures } from './login-failures';
import { RateLimitModule } from './rate-limit';
import { SessionsController } from './sessions.controller';
import { SignInController } from './sign-in.controller';
import { SignInService } from './sign-in.service';
import { TelegramAuthService } from './telegram-auth.service';

/**
 * Sign-in (docs/api.md): email/password, refresh tokens, login codes, Telegram; access tokens for
 * all; the caller's sessions.
 */
@Module({
  imports: [AccessTokenModule, RateLimitModule],
  controllers: [SignInController, SessionsController, AccountRecoveryController, AccountController],
  providers: [SignInService, TelegramAuthService, AccountService, AuthRedis, LoginFailures],
})
export class AuthModule {}
