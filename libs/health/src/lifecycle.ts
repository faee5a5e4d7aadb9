import pino, { Logger as PinoLogger } from 'pino';
import { ConfigError } from '@up/config';

const SHUTDOWN_SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/** What an app's start function reports once it is up. */
export interface StartedApp {
  /** SHUTDOWN_TIMEOUT_SECONDS: after a stop signal the process exits by then at the latest. */
  shutdownTimeoutSeconds: number;
}

/**
 * The process-level logger: plain pino, because it must work before the configuration (and so the
 * app's own Nest logger) exists.
 */
function processLogger(name: string): PinoLogger {
  return pino({
    base: { app: name },
    messageKey: 'msg',
    timestamp: () => `,"time":"${new Date().toISOString()}"`,
  });
}

/** Logs why the process cannot go on (naming the variables of a bad configuration) and exits 1. */
function fail(logger: PinoLogger, name: string, error: unknown): never {
  if (error instanceof ConfigError) {
    logger.fatal({ problems: error.problems }, error.message);
  } else {
    logger.fatal({ err: error }, `${name} failed: ${(error as Error)?.message ?? String(error)}`);
  }
  logger.flush();
  process.exit(1);
}

/**
 * The process around an app (main.ts): starts it, and stops the process with exit code 1 and a
 * message naming the variable when the configuration is bad, or with the error when start-up
 * fails. Once started, a stop signal lets Nest's shutdown hooks finish in-flight work and close
 * connections; a timer ends the process if that takes longer than the shutdown timeout.
 */
export async function runMain(
  name: string,
  start: () => Promise<StartedApp>,
  options: { logger?: PinoLogger } = {},
): Promise<void> {
  const logger = options.logger ?? processLogger(name);
  try {
    const { shutdownTimeoutSeconds } = await start();
    exitAfterShutdownTimeout({ logger, seconds: shutdownTimeoutSeconds });
  } catch (error) {
    fail(logger, name, error);
  }
}

/** A one-shot command (the migrate Job): runs `task`, then exits 0, or 1 with the reason logged. */
export async function runCommand(
  name: string,
  task: (logger: PinoLogger) => Promise<void>,
  options: { logger?: PinoLogger } = {},
): Promise<void> {
  const logger = options.logger ?? processLogger(name);
  try {
    await task(logger);
  } catch (error) {
    return fail(logger, name, error);
  }
  logger.flush();
  process.exit(0);
}

/**
 * Nest's shutdown hooks (enableShutdownHooks) handle the signal itself: close the app, then
 * re-raise the signal. This only adds the deadline, so a stuck handler or connection cannot keep
 * a replica from stopping.
 */
export function exitAfterShutdownTimeout(options: { logger: PinoLogger; seconds: number }): void {
  const { logger, seconds } = options;
  const onSignal = (signal: NodeJS.Signals): void => {
    logger.info({ signal, timeoutSeconds: seconds }, 'stop signal received, shutting down');
    setTimeout(() => {
      logger.error({ signal, timeoutSeconds: seconds }, 'shutdown timed out, exiting');
      logger.flush();
      process.exit(1);
    }, seconds * 1000).unref();
  };
  for (const signal of SHUTDOWN_SIGNALS) process.once(signal, onSignal);
}
