import { Controller, INestMicroservice, Module } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { createBusMicroservice, RedisStreamsContext } from '@up/bus';
import { CommonEnv, ConfigModule, loadConfig } from '@up/config';
import { EventName } from '@up/contracts';
import { LoggingModule } from '@up/logging';

const RECORDER_SERVICE = 'events-test-recorder';

/**
 * What the events service published on the real bus, as a subscribing service receives it: a bus
 * service of its own (own consumer group) on the platform's Redis prefix, listening to `events`
 * from the moment it starts.
 */
export class BusEventsRecorder {
  private readonly received: { event: string; payload: unknown }[] = [];

  private constructor(private app?: INestMicroservice) {}

  static async start(options: {
    env: Readonly<Record<string, string>>;
    events: readonly EventName<unknown>[];
  }): Promise<BusEventsRecorder> {
    const config = loadConfig(CommonEnv, { ...options.env, BUS_CONSUMER_NAME: RECORDER_SERVICE });
    const recorder = new BusEventsRecorder();

    @Controller()
    class RecorderController {
      @EventPattern([...options.events])
      onEvent(@Payload() payload: unknown, @Ctx() context: RedisStreamsContext): void {
        recorder.received.push({ event: context.getPattern(), payload });
      }
    }

    @Module({
      imports: [ConfigModule.forRoot(CommonEnv, config), LoggingModule.forRoot(RECORDER_SERVICE)],
      controllers: [RecorderController],
    })
    class RecorderModule {}

    const app = await createBusMicroservice(RecorderModule, { service: RECORDER_SERVICE });
    await app.listen();
    recorder.app = app;
    return recorder;
  }

  /** Payloads of `event` received so far, in arrival order. */
  payloadsOf<P>(event: EventName<P>): P[] {
    return this.received.filter((r) => r.event === event).map((r) => r.payload as P);
  }

  /** Waits for a payload of `event` that `matches`; fails after `timeoutMs`. */
  async waitFor<P>(
    event: EventName<P>,
    matches: (payload: P) => boolean,
    timeoutMs = 5000,
  ): Promise<P> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.payloadsOf(event).find(matches);
      if (found) return found;
      if (Date.now() > deadline) {
        throw new Error(`No matching ${event} on the bus within ${timeoutMs} ms`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async close(): Promise<void> {
    await this.app?.close();
    this.app = undefined;
  }
}
