import { ArgumentsHost, Logger, NotFoundException } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { ApiExceptionFilter } from './api-exception.filter';

function newTestFilter() {
  const reply = jest.fn();
  const adapterHost = { httpAdapter: { reply } } as unknown as HttpAdapterHost;
  const response = { raw: 'response' };
  const host = {
    switchToHttp: () => ({ getResponse: () => response, getRequest: () => undefined }),
  } as unknown as ArgumentsHost;
  const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  return { sut: new ApiExceptionFilter(adapterHost), reply, response, host, logged };
}

describe(ApiExceptionFilter.name, () => {
  afterEach(() => jest.restoreAllMocks());

  it('replies with the API error body and status', () => {
    const { sut, reply, response, host, logged } = newTestFilter();

    sut.catch(new NotFoundException('No such event'), host);

    expect(reply).toHaveBeenCalledWith(
      response,
      expect.objectContaining({
        statusCode: 404,
        message: 'No such event',
        detail: 'No such event',
      }),
      404,
    );
    expect(logged).not.toHaveBeenCalled();
  });

  it('logs an unexpected error once, under the error id the response carries', () => {
    const { sut, reply, host, logged } = newTestFilter();
    const failure = new Error('boom');

    sut.catch(failure, host);

    const [, body, status] = reply.mock.calls[0] as [unknown, { error_id: string }, number];
    expect(status).toBe(500);
    expect(logged).toHaveBeenCalledTimes(1);
    expect(logged).toHaveBeenCalledWith(
      { err: failure, errorId: body.error_id },
      'unexpected error',
    );
  });
});
