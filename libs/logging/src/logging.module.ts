import { DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import pino from 'pino';
import { CommonEnv } from '@up/config';
import { LogDestination } from './log-destination';
import { pinoOptions } from './pino-options';

function createLogger(app: string, config: CommonEnv): pino.Logger {
  const options = pinoOptions(app, config);
  const destination = LogDestination.current();
  if (!destination) return pino(options);
  // A destination and a transport (pino-pretty) exclude each other: lines go out as JSON.
  const { transport: _pretty, ...plain } = options;
  return pino(plain, destination);
}

/**
 * Structured JSON logs (pino), one event per line, each with the app name and the correlation id
 * of the work in progress.
 *
 * nestjs-pino is given one pino instance (the app logger behind Nest's Logger and PinoLogger) and
 * no routes for its pino-http middleware (`forRoutes: []`): a child logger and an
 * AsyncLocalStorage scope per HTTP request, run through Nest's middleware layer, cost the gateway a
 * large share of its throughput, while log lines already find their request through the
 * correlation id (the `mixin` of pinoOptions). The gateway writes its access log from a Fastify
 * hook (apps/gateway/src/http/access-log.ts).
 */
@Module({})
export class LoggingModule {
  static forRoot(app: string): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRootAsync({
          inject: [CommonEnv],
          useFactory: (config: CommonEnv) => ({
            pinoHttp: { logger: createLogger(app, config) },
            forRoutes: [],
          }),
        }),
      ],
    };
  }
}
