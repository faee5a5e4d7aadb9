import { Global, Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { AccessTokenGuard } from './access-token.guard';
import { GatewayConfig } from '../config/gateway.config';
import { accessTokenJwtOptions, AccessTokenService } from './access-token.service';
import { ProfileVersions } from '../members/profile-versions';
import { MemberStandings } from './member-standings';
import { StandingGuard } from './standing.guard';

/**
 * Access tokens for the whole gateway: global, so any controller can use `@Authenticated()`,
 * `@Roles()` and friends without importing anything (their current standing included). Algorithm, issuer and audience are
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
  // ProfileVersions lives here (not in MembersModule) so that the guards can use it too.
  providers: [
    AccessTokenService,
    AccessTokenGuard,
    ProfileVersions,
    MemberStandings,
    StandingGuard,
  ],
  exports: [AccessTokenService, AccessTokenGuard, ProfileVersions, MemberStandings, StandingGuard],
})
export class AccessTokenModule {}
