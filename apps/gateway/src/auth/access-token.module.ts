import { Global, Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { AccessTokenGuard } from './access-token.guard';
import { AccessTokenService } from './access-token.service';

/**
 * Access tokens for the whole gateway: global, so any controller can use `@Authenticated()`,
 * `@Roles()` and friends without importing anything. Algorithm, key, issuer and audience are
 * passed on every sign and verify call (AccessTokenService), not left to module defaults.
 */
@Global()
@Module({
  imports: [JwtModule.register({})],
  providers: [AccessTokenService, AccessTokenGuard],
  exports: [AccessTokenService, AccessTokenGuard],
})
export class AccessTokenModule {}
