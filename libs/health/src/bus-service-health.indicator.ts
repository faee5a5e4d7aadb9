import { Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { BusClient } from '@up/bus';
import { HealthReport, healthPattern, ServiceName } from '@up/contracts';
import { withTimeout } from './timeout';

/** Asks a service over the bus for its health: the round trip is itself the check that it is up. */
@Injectable()
export class BusServiceHealthIndicator {
  constructor(
    private readonly bus: BusClient,
    private readonly indicators: HealthIndicatorService,
  ) {}

  async check(service: ServiceName, timeoutMs: number): Promise<HealthIndicatorResult> {
    const check = this.indicators.check(service);
    try {
      // The bus's own timeout is the real one; the race guards against a client that never settles.
      const report: HealthReport = await withTimeout(
        this.bus.send(healthPattern(service), {}, { timeoutMs }),
        timeoutMs + 250,
      );
      if (report.status === 'ok') return check.up();
      const failing = Object.entries(report.checks)
        .filter(([, result]) => result.status !== 'up')
        .map(([name, result]) => (result.message ? `${name}: ${result.message}` : name));
      return check.down({ message: `failing: ${failing.join(', ')}` });
    } catch (error) {
      return check.down({ message: (error as Error).message });
    }
  }
}
