import { DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthServiceName } from '@up/contracts';
import { busHealthController } from './bus-health.controller';
import { BusServiceHealthIndicator } from './bus-service-health.indicator';
import { EventLoopHealthIndicator, OpsServer } from './ops';
import { RedisHealthIndicator } from './redis-health.indicator';
import { ServiceHealth } from './service-health';

/**
 * Terminus without its own error log: OpsServer logs a readiness change once, where Terminus
 * would log every failing probe.
 */
const terminus = TerminusModule.forRoot({ logger: false });

/** The ops port (OpsServer: liveness, readiness over ServiceHealth, metrics) and what it needs. */
const OPS_PROVIDERS = [RedisHealthIndicator, ServiceHealth, EventLoopHealthIndicator, OpsServer];

@Module({})
export class HealthModule {
  /**
   * For a bus service: answers `<service>.health` with its PostgreSQL (when it has a DataSource)
   * and Redis checks, and serves the ops port (main.ts starts it: startOpsServer). Needs
   * ConfigModule (CommonEnv) and, for the database check, DatabaseModule.
   */
  static forService(service: HealthServiceName): DynamicModule {
    return {
      module: HealthModule,
      imports: [terminus],
      controllers: [busHealthController(service)],
      providers: OPS_PROVIDERS,
      exports: [ServiceHealth, OpsServer],
    };
  }

  /**
   * For an app that serves health endpoints of its own (the gateway): the Redis indicator, the
   * indicator that asks a service over the bus, and the ops port. Needs BusModule (BusClient).
   */
  static indicators(): DynamicModule {
    return {
      module: HealthModule,
      imports: [terminus],
      providers: [...OPS_PROVIDERS, BusServiceHealthIndicator],
      exports: [RedisHealthIndicator, BusServiceHealthIndicator, ServiceHealth, OpsServer],
    };
  }
}
