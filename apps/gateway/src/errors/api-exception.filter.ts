import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { BusRemoteError } from '@up/bus';
import { redactUrl } from '@up/logging';
import { captureUnexpected } from '@up/observability';
import { toApiError } from './api-error';

/** The gateway's single exception filter: every failure answers with docs/api.md's error body. */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpErrors');

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const { status, body, unexpected } = toApiError(exception);
    const http = host.switchToHttp();
    if (unexpected !== undefined) {
      this.logger.error({ err: unexpected, errorId: body.error_id }, 'unexpected error');
      // A service's INTERNAL answer was reported by that service, with its own stack and error id.
      if (!(unexpected instanceof BusRemoteError)) {
        this.report(unexpected, body.error_id, http.getRequest<FastifyRequest | undefined>());
      }
    }
    this.adapterHost.httpAdapter.reply(http.getResponse<unknown>(), body, status);
  }

  private report(error: unknown, errorId: string | undefined, request?: FastifyRequest): void {
    captureUnexpected(error, {
      errorId,
      requestId: request?.id,
      // The route's pattern (few values) as a tag; the URL itself, credentials masked, as context.
      tags: { route: request?.routeOptions?.url },
      context: request
        ? { name: 'http', data: { method: request.method, url: redactUrl(request.url) } }
        : undefined,
    });
  }
}
