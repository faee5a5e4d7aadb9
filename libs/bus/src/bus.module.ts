import { DynamicModule, Module } from '@nestjs/common';
import { CommonEnv } from '@up/config';
import { BusClient } from './client/bus.client';
import { RedisStreamsClient } from './client/redis-streams.client';
import { BusOptions, busOptionsFromConfig } from './bus.options';

/**
 * Registers the injectable BusClient for the whole app (needs ConfigModule for CommonEnv).
 * `sender` is the party the app signs its messages as (`gateway`, `bot`, `users`, ...).
 */
@Module({})
export class BusModule {
  static forRoot(sender: string, overrides: Partial<BusOptions> = {}): DynamicModule {
    return {
      module: BusModule,
      global: true,
      providers: [
        {
          provide: RedisStreamsClient,
          inject: [CommonEnv],
          useFactory: (config: CommonEnv) =>
            new RedisStreamsClient({ ...busOptionsFromConfig(config, sender), ...overrides }),
        },
        BusClient,
      ],
      exports: [BusClient, RedisStreamsClient],
    };
  }
}
