import { Inject, Injectable, Optional } from '@nestjs/common';
import { HealthIndicatorResult, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { DataSource } from 'typeorm';
import { CheckStatus, HealthReport, HealthServiceName } from '@up/contracts';
import { RedisHealthIndicator } from './redis-health.indicator';

/** How long each dependency check of a service may take; the gateway's readiness waits ~1 s in all. */
export const SERVICE_CHECK_TIMEOUT_MS = 500;

/** A check a service adds to its health report (e.g. its outbox relay), beside PostgreSQL and Redis. */
export interface ServiceHealthCheck {
  name: string;
  check(): Promise<{ status: CheckStatus; message?: string }>;
}

/** Injection token of the service's further checks (an array of ServiceHealthCheck). */
export const SERVICE_HEALTH_CHECKS = Symbol('SERVICE_HEALTH_CHECKS');

/**
 * A bus service's own health: PostgreSQL (`SELECT 1`, when the service has a database), Redis,
 * and the checks other modules provide under SERVICE_HEALTH_CHECKS.
 */
@Injectable()
export class ServiceHealth {
  constructor(
    private readonly redis: RedisHealthIndicator,
    private readonly database: TypeOrmHealthIndicator,
    @Optional() private readonly dataSource?: DataSource,
    @Optional()
    @Inject(SERVICE_HEALTH_CHECKS)
    private readonly extraChecks: readonly ServiceHealthCheck[] = [],
  ) {}

  async report(service: HealthServiceName): Promise<HealthReport> {
    const checks = await this.checks();
    const ok = Object.values(checks).every((check) => check.status === 'up');
    return { status: ok ? 'ok' : 'error', service, checks };
  }

  /** Every check of this replica, by name (the bus health pattern and the ops port's readiness). */
  async checks(): Promise<HealthReport['checks']> {
    const results: Promise<HealthIndicatorResult>[] = [
      this.redis.pingCheck('redis', SERVICE_CHECK_TIMEOUT_MS),
    ];
    if (this.dataSource) {
      results.push(
        this.database.pingCheck('database', {
          connection: this.dataSource,
          timeout: SERVICE_CHECK_TIMEOUT_MS,
        }),
      );
    }
    const checks: HealthReport['checks'] = {};
    const extra = await Promise.all(
      (this.extraChecks ?? []).map(async (extraCheck) => {
        try {
          return [extraCheck.name, await extraCheck.check()] as const;
        } catch (error) {
          return [extraCheck.name, { status: 'down', message: (error as Error).message }] as const;
        }
      }),
    );
    for (const [name, result] of extra) checks[name] = result;
    for (const result of await Promise.all(results)) {
      for (const [key, { status, message }] of Object.entries(result)) {
        checks[key] = {
          status: status as CheckStatus,
          ...(typeof message === 'string' ? { message } : {}),
        };
      }
    }
    return checks;
  }
}
