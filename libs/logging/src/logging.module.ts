import { DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { Options } from 'pino-http';
import { CommonEnv } from '@up/config';
import { Correlation } from './correlation';
import { pinoOptions } from './pino-options';

/**
 * Structured JSON logs (pino), one event per line, each with the app name and the correlation id
 * of the work in progress. `http` adds pino-http request logging (the gateway).
 */
@Module({})
export class LoggingModule {
  static forRoot(app: string, extra: { http?: Options } = {}): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRootAsync({
          inject: [CommonEnv],
          useFactory: (config: CommonEnv) => ({
            pinoHttp: {
              ...pinoOptions(app, config),
              autoLogging: false,
              // Our correlation id comes from the bus or the gateway's own context, not pino-http's.
              customProps: () => ({ correlationId: Correlation.id() }),
              ...extra.http,
            },
          }),
        }),
      ],
    };
  }
}
