import { LogDestination } from '@up/logging';

/** One log line as pino wrote it. */
export interface CapturedLogLine {
  level: number;
  msg?: string;
  app?: string;
  [field: string]: unknown;
}

/** pino's level numbers. */
export const LOG_LEVELS = { debug: 20, info: 30, warn: 40, error: 50, fatal: 60 } as const;

export interface LogCapture {
  /** Every line so far, raw (what an operator would read). */
  text(): string;
  lines(): CapturedLogLine[];
  /** Sends later loggers back to standard output. */
  stop(): void;
}

/**
 * Catches the log lines of every app booted after it (in this process, e.g. by `startPlatform`),
 * to search them: start it before the platform, with `env: { LOG_LEVEL: 'debug' }` (tests are
 * silent by default), and `stop()` it in afterAll. nestjs-pino keeps the logger of the first app
 * a test file boots for every later one (one process), so start it before any app boots; for
 * the same reason the `app` field of a line names that first app, not always the writer.
 */
export function captureLogs(): LogCapture {
  const chunks: string[] = [];
  LogDestination.use({ write: (line: string) => void chunks.push(line) });
  const text = () => chunks.join('');
  return {
    text,
    lines: () =>
      text()
        .split('\n')
        .filter((line) => line.length > 0)
        .map((line) => JSON.parse(line) as CapturedLogLine),
    stop: () => LogDestination.use(undefined),
  };
}
