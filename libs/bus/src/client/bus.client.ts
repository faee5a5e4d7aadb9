import { Injectable, OnApplicationBootstrap, OnApplicationShutdown, Logger } from '@nestjs/common';
import { EventName, RequestPattern } from '@up/contracts';
import { OutgoingEvent, RedisStreamsClient, RequestOptions } from './redis-streams.client';

/**
 * What the gateway, the bot and services calling other services inject. Types follow from the
 * pattern constant: `bus.send(USERS.GET_PROFILE, { member_id })` is a Promise of that pattern's
 * response. Rejects with BusRemoteError (the handler's `{status, code, message}`) or
 * BusTimeoutError.
 */
@Injectable()
export class BusClient implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(BusClient.name);

  constructor(readonly transport: RedisStreamsClient) {}

  send<TRequest, TResponse>(
    pattern: RequestPattern<TRequest, TResponse>,
    payload: NoInfer<TRequest>,
    options?: RequestOptions,
  ): Promise<TResponse> {
    return this.transport.request<TResponse>(pattern, payload, options);
  }

  emit<TPayload>(event: EventName<TPayload>, payload: NoInfer<TPayload>): Promise<void> {
    return this.transport.publishEvent(event, payload);
  }

  /**
   * Events already identified (the outbox relay's rows), in one round trip. Services publish
   * their facts through their outbox, not with `emit`, so that nothing is sent for a rolled-back
   * transaction and nothing committed is lost.
   */
  publishEvents(events: readonly OutgoingEvent[]): Promise<void> {
    return this.transport.publishEvents(events, { whenConnected: true });
  }

  onApplicationBootstrap(): void {
    // Subscribe to the reply channel early, without holding up start-up if Redis is away: calls
    // made meanwhile wait within their own timeout.
    this.transport.connect().catch((error: unknown) => {
      this.logger.warn(`Bus client not connected yet: ${(error as Error).message}`);
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.transport.close();
  }
}
