import type { NodeSDKConfiguration } from '@opentelemetry/sdk-node';
import { isUntracedPath } from './http-server-spans';
import type * as TracingModule from './tracing';

/** What the (mocked) SDK was given, and whether its module was loaded at all. */
interface SdkProbe {
  loaded: boolean;
  configs: Partial<NodeSDKConfiguration>[];
  started: number;
  exporterUrls: (string | undefined)[];
}

/** A fresh copy of the tracing module (its once-per-process guard included) over a mocked SDK. */
function newTracing(): { sut: typeof TracingModule; sdk: SdkProbe } {
  const sdk: SdkProbe = { loaded: false, configs: [], started: 0, exporterUrls: [] };
  let sut: typeof TracingModule | undefined;
  jest.isolateModules(() => {
    jest.doMock('@opentelemetry/sdk-node', () => {
      sdk.loaded = true;
      return {
        NodeSDK: class {
          constructor(config: Partial<NodeSDKConfiguration>) {
            sdk.configs.push(config);
          }
          start(): void {
            sdk.started += 1;
          }
          shutdown(): Promise<void> {
            return Promise.resolve();
          }
        },
      };
    });
    jest.doMock('@opentelemetry/exporter-trace-otlp-http', () => ({
      OTLPTraceExporter: class {
        constructor(config: { url?: string }) {
          sdk.exporterUrls.push(config.url);
        }
      },
    }));
    sut = jest.requireActual<typeof TracingModule>('./tracing');
  });
  if (!sut) throw new Error('tracing module not loaded');
  return { sut, sdk };
}

describe('startTracing', () => {
  afterEach(() => {
    jest.dontMock('@opentelemetry/sdk-node');
    jest.dontMock('@opentelemetry/exporter-trace-otlp-http');
  });

  it('starts nothing, and loads no SDK, without OTEL_EXPORTER_OTLP_ENDPOINT', () => {
    const { sut, sdk } = newTracing();
    expect(sut.startTracing({ app: 'users', env: {} })).toBeUndefined();
    expect(sdk.loaded).toBe(false);
  });

  it('leaves an invalid endpoint to the app configuration, which names it', () => {
    const { sut, sdk } = newTracing();
    expect(
      sut.startTracing({ app: 'users', env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' } }),
    ).toBeUndefined();
    expect(sdk.loaded).toBe(false);
  });

  it('starts one SDK per process, named after the app, exporting to <endpoint>/v1/traces', () => {
    const { sut, sdk } = newTracing();
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' };
    const first = sut.startTracing({ app: 'users', env });
    expect(sut.startTracing({ app: 'events', env })).toBe(first);
    expect(first?.serviceName).toBe('users');
    expect(sdk.started).toBe(1);
    expect(sdk.configs).toHaveLength(1);
    const [config] = sdk.configs;
    expect(config.serviceName).toBe('users');
    expect(config.spanProcessors).toHaveLength(1);
    expect(sdk.exporterUrls).toEqual(['http://collector:4318/v1/traces']);
    expect(first?.instrumentations.map((i) => i.instrumentationName)).toEqual([
      '@opentelemetry/instrumentation-http',
      '@opentelemetry/instrumentation-pg',
    ]);
  });

  it('takes OTEL_SERVICE_NAME over the app name', () => {
    const { sut } = newTracing();
    const tracing = sut.startTracing({
      app: 'users',
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SERVICE_NAME: 'users-eu' },
    });
    expect(tracing?.serviceName).toBe('users-eu');
  });
});

describe('isUntracedPath', () => {
  const sut = { isUntracedPath };

  it('leaves out the probes and the scrape, on the app port and on the ops port', () => {
    for (const url of [
      '/health',
      '/health/live',
      '/health/ready',
      '/ready',
      '/metrics',
      '/metrics?x=1',
    ])
      expect(sut.isUntracedPath(url)).toBe(true);
  });

  it('traces everything else, paths that merely begin alike included', () => {
    for (const url of ['/api/users/me', '/healthz', '/readyz', '/api/health', '/', undefined])
      expect(sut.isUntracedPath(url)).toBe(false);
  });
});
