import { DynamicModule, Module } from '@nestjs/common';
import { BusModule } from '@up/bus';
import { ConfigModule } from '@up/config';
import { DatabaseModule } from '@up/database';
import { HealthModule } from '@up/health';
import { LoggingModule } from '@up/logging';
import { AuthCodesConfig } from './config/auth-codes.config';
import { AUTH_CODES_DATABASE } from './database';
import { LoginCodesModule } from './login-codes/login-codes.module';
import { RefreshTokensModule } from './refresh-tokens/refresh-tokens.module';

/**
 * The auth-codes service. Feature modules go in `imports` below; `forRoot` adds the infrastructure
 * around them with the validated configuration.
 */
@Module({
  imports: [LoginCodesModule, RefreshTokensModule],
})
export class AppModule {
  static forRoot(config: AuthCodesConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(AuthCodesConfig, config),
        LoggingModule.forRoot('auth-codes'),
        BusModule.forRoot('auth-codes'),
        DatabaseModule.forService(AUTH_CODES_DATABASE),
        HealthModule.forService('auth-codes'),
      ],
    };
  }
}
