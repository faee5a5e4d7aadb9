import { Module } from '@nestjs/common';
import { HealthModule as HealthIndicatorsModule } from '@up/health';
import { HealthController } from './health.controller';
import { ReadinessService } from './readiness.service';

/** GET /health (liveness) and GET /ready (Redis and every service over the bus). */
@Module({
  imports: [HealthIndicatorsModule.indicators()],
  controllers: [HealthController],
  providers: [ReadinessService],
})
export class GatewayHealthModule {}
