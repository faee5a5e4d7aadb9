import { DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthServiceName } from '@up/contracts';
import { busHealthController } from './bus-health.controller';
import { BusServiceHealthIndicator } from './bus-service-health.indicator';
import { RedisHealthIndicator } from './redis-health.indicator';
import { ServiceHealth } from './service-health';

@Module({})
export class HealthModule {
  /**
   * For a bus service: answers `<service>.health` with its PostgreSQL (when it has a DataSource)
   * and Redis checks. Needs ConfigModule (CommonEnv) and, for the database check, DatabaseModule.
   */
  static forService(service: HealthServiceName): DynamicModule {
    return {
      module: HealthModule,
      imports: [TerminusModule],
      controllers: [busHealthController(service)],
      providers: [RedisHealthIndicator, ServiceHealth],
      exports: [ServiceHealth],
    };
  }

  /**
   * For an app that serves health endpoints of its own (the gateway): the Redis indicator and
   * the indicator that asks a service over the bus. Needs BusModule (BusClient).
   */
  static indicators(): DynamicModule {
    return {
      module: HealthModule,
      imports: [TerminusModule],
      providers: [RedisHealthIndicator, BusServiceHealthIndicator],
      exports: [RedisHealthIndicator, BusServiceHealthIndicator],
    };
  }
}
