import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { BusModule } from '@up/bus';
import { ConfigModule } from '@up/config';
import { LoggingModule } from '@up/logging';
import { AdminModule } from './admin/admin.module';
import { AuthModule } from './auth/auth.module';
import { GatewayConfig } from './config/gateway.config';
import { ApiExceptionFilter } from './errors/api-exception.filter';
import { EventsModule } from './events/events.module';
import { createValidationPipe } from './errors/request-validation.error';
import { GatewayHealthModule } from './health/health.module';
import { AccessLog } from './http/access-log';
import { HttpDrain } from './http/http-drain';
import { MembersModule } from './members/members.module';
import { MetricsModule } from './metrics/metrics.module';

/**
 * The gateway. Feature modules (AuthModule, MembersModule, EventsModule, AdminModule) go in
 * `imports` below; `forRoot` adds the infrastructure around them with the validated configuration.
 */
@Module({
  imports: [AuthModule, MembersModule, EventsModule, AdminModule],
})
export class AppModule {
  static forRoot(config: GatewayConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(GatewayConfig, config),
        LoggingModule.forRoot('gateway'),
        BusModule.forRoot('gateway'),
        MetricsModule,
        GatewayHealthModule,
      ],
      providers: [
        { provide: APP_FILTER, useClass: ApiExceptionFilter },
        { provide: APP_PIPE, useFactory: createValidationPipe },
        AccessLog,
        // In the root module: its onModuleDestroy runs before any imported module's (see HttpDrain).
        HttpDrain,
      ],
    };
  }
}
