import { Injectable } from '@nestjs/common';
import { CheckStatus, SERVICES } from '@up/contracts';
import { BusServiceHealthIndicator, RedisHealthIndicator } from '@up/health';
import { GatewayConfig } from '../config/gateway.config';

export type ReadinessCheck = { status: CheckStatus; message?: string };

export interface ReadinessReport {
  status: 'ok' | 'error';
  checks: Record<string, ReadinessCheck>;
}

/** Redis and every service behind the gateway, checked at once, each within READY_TIMEOUT_MS. */
@Injectable()
export class ReadinessService {
  constructor(
    private readonly config: GatewayConfig,
    private readonly redis: RedisHealthIndicator,
    private readonly services: BusServiceHealthIndicator,
  ) {}

  async check(): Promise<ReadinessReport> {
    const timeoutMs = this.config.READY_TIMEOUT_MS;
    const results = await Promise.all([
      this.redis.pingCheck('redis', timeoutMs),
      ...SERVICES.map((service) => this.services.check(service, timeoutMs)),
    ]);
    const checks: Record<string, ReadinessCheck> = {};
    for (const result of results) {
      for (const [name, { status, message }] of Object.entries(result)) {
        checks[name] = {
          status: status as CheckStatus,
          ...(typeof message === 'string' ? { message } : {}),
        };
      }
    }
    const ok = Object.values(checks).every((check) => check.status === 'up');
    return { status: ok ? 'ok' : 'error', checks };
  }
}
