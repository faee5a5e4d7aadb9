import { Module } from '@nestjs/common';
import { makeHistogramProvider, PrometheusModule } from '@willsoto/nestjs-prometheus';
import { HTTP_REQUEST_DURATION, HttpMetrics } from './http-metrics';
import { MetricsController } from './metrics.controller';

/**
 * GET /metrics: default process metrics plus the HTTP request duration histogram. Metrics live in
 * prom-client's global registry (one per process); `register` runs once, when this file loads.
 */
@Module({
  imports: [
    PrometheusModule.register({
      path: '/metrics',
      controller: MetricsController,
      defaultMetrics: { enabled: true, config: {} },
    }),
  ],
  providers: [
    makeHistogramProvider({
      name: HTTP_REQUEST_DURATION,
      help: 'Time to answer HTTP requests, by method, route and status code',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    }),
    HttpMetrics,
  ],
  exports: [HttpMetrics],
})
export class MetricsModule {}
