import { Global, Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { AccessTokenGuard } from './access-token.guard';
import { GatewayConfig } from '../config/gateway.config';
import { accessTokenJwtOptions, AccessTokenService } from './access-token.service';

/**
 * Access tokens for the whole gateway: global, so any controller can use `@Authenticated()`,
 * `@Roles()` and friends without importing anything. Algorithm, issuer and audience are
 * passed on every sign and verify call (AccessTokenService); the key is the JwtService's.
 */
@Global()
@Module({
  imports: [
    JwtModule.registerAsync({
      inject: [GatewayConfig],
      useFactory: (config: GatewayConfig) => accessTokenJwtOptions(config),
    }),
  ],
  providers: [AccessTokenService, AccessTokenGuard],
  exports: [AccessTokenService, AccessTokenGuard],
})
export class AccessTokenModule {}
