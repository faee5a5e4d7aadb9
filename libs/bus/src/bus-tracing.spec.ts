import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { startRequestSpan, withConsumerSpan } from './bus-tracing';

const consumer = (carrier: { traceparent?: string; tracestate?: string }) => ({
  kind: 'request' as const,
  pattern: 'users.get_profile',
  service: 'users',
  stream: 'up:{bus:users}:req',
  messageId: '1-0',
  deliveries: 1,
  carrier,
});

describe('bus tracing', () => {
  describe('without an SDK (the API alone)', () => {
    it('sends no trace context and runs the handler as it is', async () => {
      const request = startRequestSpan({ pattern: 'users.get_profile', stream: 's' });

      expect(request.carrier).toEqual({});
      expect(request.within(() => 42)).toBe(42);
      await expect(withConsumerSpan(consumer({}), () => Promise.resolve('answer'))).resolves.toBe(
        'answer',
      );
      await expect(
        withConsumerSpan(consumer({}), () => Promise.reject(new Error('handler failed'))),
      ).rejects.toThrow('handler failed');
    });
  });

  describe('with an SDK', () => {
    const exporter = new InMemorySpanExporter();
    const contextManager = new AsyncLocalStorageContextManager();

    beforeAll(() => {
      contextManager.enable();
      context.setGlobalContextManager(contextManager);
      propagation.setGlobalPropagator(new W3CTraceContextPropagator());
      trace.setGlobalTracerProvider(
        new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }),
      );
    });

    afterAll(() => {
      trace.disable();
      propagation.disable();
      context.disable();
    });

    it("continues the caller's trace in the handler: one trace from the caller to the handler", async () => {
      const request = startRequestSpan({ pattern: 'users.get_profile', stream: 's' });
      const callerSpan = request.span.spanContext();

      expect(request.carrier.traceparent).toContain(callerSpan.traceId);
      const seen = await withConsumerSpan(consumer(request.carrier), () =>
        Promise.resolve(trace.getActiveSpan()?.spanContext()),
      );
      request.span.end();

      expect(seen?.traceId).toBe(callerSpan.traceId);
      const server = exporter
        .getFinishedSpans()
        .find((s) => s.name === 'process users.get_profile');
      expect(server?.parentSpanContext?.spanId).toBe(callerSpan.spanId);
    });
  });
});
