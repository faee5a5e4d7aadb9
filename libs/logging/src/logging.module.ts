import { DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { Options } from 'pino-http';
import { CommonEnv } from '@up/config';
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
              ...extra.http,
            },
          }),
        }),
      ],
    };
  }
}
