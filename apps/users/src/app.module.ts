import { DynamicModule, Module } from '@nestjs/common';
import { BusModule } from '@up/bus';
import { ConfigModule } from '@up/config';
import { DatabaseModule, OutboxModule } from '@up/database';
import { HealthModule } from '@up/health';
import { LoggingModule } from '@up/logging';
import { UsersConfig } from './config/users.config';
import { usersDatabase } from './database';
import { USERS_SCHEMA } from './shared/schema';
import { USERS_FEATURE_MODULES } from './users-features';

/**
 * The users service. Feature modules go in `imports` below; `forRoot` adds the infrastructure
 * around them with the validated configuration.
 */
@Module({
  imports: [...USERS_FEATURE_MODULES],
})
export class AppModule {
  static forRoot(config: UsersConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(UsersConfig, config),
        LoggingModule.forRoot('users'),
        BusModule.forRoot('users'),
        DatabaseModule.forService(usersDatabase),
        OutboxModule.forService(USERS_SCHEMA),
        HealthModule.forService('users'),
      ],
    };
  }
}
