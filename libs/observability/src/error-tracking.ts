import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, ErrorTrackingEnv, loadConfig } from '@up/config';
import { Correlation } from '@up/logging';
import { scrubBreadcrumb, scrubEvent } from './error-scrubbing';
import { isExpectedError } from './expected-error';
import { activeTraceId } from './trace-context';

export interface ErrorTrackingOptions {
  /** The app's name (`gateway`, `users`, ...): every event's `app` tag. */
  app: string;
  /** The environment to read (default: the process's, as every app's configuration does). */
  env?: Record<string, string | undefined>;
  /**
   * Report what no code caught (uncaught exceptions, unhandled rejections), which then end the
   * process as Node would without Sentry (default true; off for a test inside a test runner).
   */
  processHandlers?: boolean;
}

/** What is known of an unexpected error where it is caught. */
export interface UnexpectedErrorContext {
  /** The error id the failure was logged and answered with (the 500's `error_id`). */
  errorId?: string;
  /** The request id (`X-Request-Id`); default: the correlation id of the work in progress. */
  requestId?: string;
  /** More tags with few distinct values (a route pattern, a bus pattern). */
  tags?: Record<string, string | undefined>;
  /** What failed, as a context (not indexed): e.g. `{ method, url }` of an HTTP request. */
  context?: { name: string; data: Record<string, unknown> };
}

let enabled = false;

type SentrySdk = typeof import('@sentry/nestjs');
/**
 * Loaded when SENTRY_DSN is set (initErrorTracking): without it not one module of the SDK is read,
 * which keeps tens of MB out of every process that tracks no errors.
 */
let sdk: SentrySdk | undefined;
function sentry(): SentrySdk {
  return (sdk ??= require('@sentry/nestjs') as SentrySdk);
}

/** `<name>@<version>` of the package the process runs from (the image's /app, or the repository). */
export function packageRelease(directory = process.cwd()): string | undefined {
  try {
    const { name, version } = JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8')) as {
      name?: unknown;
      version?: unknown;
    };
    return typeof name === 'string' && typeof version === 'string'
      ? `${name}@${version}`
      : undefined;
  } catch {
    return undefined;
  }
}

function definedOnly(values: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(values).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}

/**
 * Turns on Sentry error tracking when SENTRY_DSN is set; without it nothing is initialised, nothing
 * is patched and nothing is sent. Called first thing in every app (its `instrument.ts`, imported
 * at the top of main.ts), so failures from the start are reported.
 *
 * Sentry here tracks errors only: the platform's OpenTelemetry SDK owns tracing and the context, so
 * Sentry sets up no OpenTelemetry of its own (`skipOpenTelemetrySetup`, no `tracesSampleRate`),
 * injects no trace headers, and runs only integrations that describe an error (no HTTP, fetch or
 * console breadcrumbs, no request bodies, no sessions). Without Sentry's own context manager its
 * scopes are process-wide, so an error's request id, trace id and error id travel with the
 * capture itself (captureUnexpected), never through a scope another request could change.
 *
 * A bad Sentry variable does not stop the process here: the app's own configuration, which
 * includes the same variables, reports it at boot with the others.
 */
export function initErrorTracking(options: ErrorTrackingOptions): boolean {
  if (enabled) return true;
  let config: ErrorTrackingEnv;
  try {
    config = loadConfig(ErrorTrackingEnv, options.env);
  } catch (error) {
    if (error instanceof ConfigError) return false;
    throw error;
  }
  if (!config.SENTRY_DSN) return false;
  const processHandlers = options.processHandlers ?? true;
  const Sentry = sentry();
  Sentry.init({
    dsn: config.SENTRY_DSN,
    release: config.SENTRY_RELEASE ?? packageRelease() ?? 'unknown',
    environment: config.SENTRY_ENVIRONMENT ?? config.NODE_ENV,
    sendDefaultPii: false,
    skipOpenTelemetrySetup: true,
    registerEsmLoaderHooks: false,
    tracePropagationTargets: [],
    defaultIntegrations: false,
    integrations: [
      Sentry.eventFiltersIntegration(),
      Sentry.functionToStringIntegration(),
      Sentry.linkedErrorsIntegration(),
      Sentry.systemErrorIntegration(),
      Sentry.contextLinesIntegration(),
      Sentry.nodeContextIntegration(),
      ...(processHandlers
        ? [
            Sentry.onUncaughtExceptionIntegration(),
            // `strict`: report, then exit as Node does by default (`warn` would keep it running).
            Sentry.onUnhandledRejectionIntegration({ mode: 'strict' }),
          ]
        : []),
    ],
    initialScope: { tags: { app: options.app } },
    beforeSend: (event, hint) => {
      if (isExpectedError(hint.originalException)) return null;
      // What no filter caught (an unhandled rejection) still gets the work's ids when known.
      event.tags = {
        ...definedOnly({ request_id: Correlation.id(), trace_id: activeTraceId() }),
        ...event.tags,
      };
      return scrubEvent(event);
    },
    beforeBreadcrumb: (breadcrumb) => scrubBreadcrumb(breadcrumb),
  });
  enabled = true;
  return true;
}

export function isErrorTrackingEnabled(): boolean {
  return enabled;
}

/**
 * Reports an error nobody expected (the gateway's 500s, a bus handler's INTERNAL), tagged with the
 * request id, the trace id when the work is traced, and its error id. A no-op without SENTRY_DSN,
 * and for an expected failure (a domain error, a 4xx).
 */
export function captureUnexpected(error: unknown, context: UnexpectedErrorContext = {}): void {
  if (!enabled || isExpectedError(error)) return;
  const tags = definedOnly({
    request_id: context.requestId ?? Correlation.id(),
    trace_id: activeTraceId(),
    error_id: context.errorId,
    ...context.tags,
  });
  sentry().captureException(error, {
    tags,
    ...(context.context ? { contexts: { [context.context.name]: context.context.data } } : {}),
  });
}

/** Sends what is queued (at shutdown, in tests); resolves false if `timeoutMs` passes first. */
export async function flushErrorTracking(timeoutMs = 2000): Promise<boolean> {
  return enabled ? sentry().flush(timeoutMs) : true;
}

/** Stops error tracking (tests); events after this are not sent. */
export async function closeErrorTracking(timeoutMs = 2000): Promise<void> {
  if (!enabled) return;
  enabled = false;
  await sentry().close(timeoutMs);
}
