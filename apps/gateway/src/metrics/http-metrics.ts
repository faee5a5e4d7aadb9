import { Injectable } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Histogram } from 'prom-client';
import type { ResponseObserver } from '../http/response-observers';

export const HTTP_REQUEST_DURATION = 'http_request_duration_seconds';

type DurationLabels = Record<'method' | 'route' | 'status_code', string>;

/**
 * Time to answer each request, labelled by method, route pattern (not the raw URL, to bound
 * cardinality) and status. Observed once the response is sent (registerResponseObservers).
 */
@Injectable()
export class HttpMetrics implements ResponseObserver {
  /**
   * One label object per series, built once (routes × statuses × methods is a bounded set), found
   * by route, then status, then method: no key string to build per request.
   */
  private readonly labels = new Map<string, Map<number, Map<string, DurationLabels>>>();

  constructor(@InjectMetric(HTTP_REQUEST_DURATION) private readonly duration: Histogram<string>) {}

  onResponse(request: FastifyRequest, reply: FastifyReply, route: string | undefined): void {
    this.duration.observe(
      this.labelsOf(request.method, route ?? 'unmatched', reply.statusCode),
      reply.elapsedTime / 1000,
    );
  }

  private labelsOf(method: string, route: string, status: number): DurationLabels {
    let byStatus = this.labels.get(route);
    if (byStatus === undefined) this.labels.set(route, (byStatus = new Map()));
    let byMethod = byStatus.get(status);
    if (byMethod === undefined) byStatus.set(status, (byMethod = new Map()));
    let labels = byMethod.get(method);
    if (labels === undefined) {
      labels = { method, route, status_code: String(status) };
      byMethod.set(method, labels);
    }
    return labels;
  }
}
