import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

export interface CorrelationContext {
  correlationId: string;
}

const storage = new AsyncLocalStorage<CorrelationContext>();

/**
 * The correlation id of the work in progress: set by the gateway from `X-Request-Id` (or a new
 * one), carried in every bus message the work sends, and restored by the bus server around the
 * handler, so one id follows a request through every service's logs.
 */
export const Correlation = {
  run<T>(correlationId: string | undefined, fn: () => T): T {
    return storage.run({ correlationId: correlationId || randomUUID() }, fn);
  },
  id(): string | undefined {
    return storage.getStore()?.correlationId;
  },
};
