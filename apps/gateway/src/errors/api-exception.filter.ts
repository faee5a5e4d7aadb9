import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { toApiError } from './api-error';

/** The gateway's single exception filter: every failure answers with docs/api.md's error body. */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpErrors');

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const { status, body, unexpected } = toApiError(exception);
    if (unexpected !== undefined) {
      this.logger.error({ err: unexpected, errorId: body.error_id }, 'unexpected error');
    }
    const response = host.switchToHttp().getResponse<unknown>();
    this.adapterHost.httpAdapter.reply(response, body, status);
  }
}
