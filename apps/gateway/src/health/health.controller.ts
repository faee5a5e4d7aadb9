import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { ReadinessReport, ReadinessService } from './readiness.service';

@ApiTags('operations')
@Controller()
export class HealthController {
  constructor(private readonly readiness: ReadinessService) {}

  // Liveness (GET /health) is a route of Fastify itself: see liveness.ts.

  /** Readiness: Redis and every service behind the gateway answer in time. */
  @Get('ready')
  @ApiOkResponse({ description: 'Redis and every service answer: {status: "ok", checks}' })
  @ApiServiceUnavailableResponse({ description: 'Some check failed; the body names it' })
  async ready(): Promise<ReadinessReport> {
    const report = await this.readiness.check();
    if (report.status !== 'ok') {
      const failing = Object.entries(report.checks)
        .filter(([, check]) => check.status !== 'up')
        .map(([name]) => name);
      // The error body (docs/api.md) plus the report, so a probe's log shows what is down.
      throw new ServiceUnavailableException({
        message: `Not ready: ${failing.join(', ')} failing`,
        failing,
        ...report,
      });
    }
    return report;
  }
}
