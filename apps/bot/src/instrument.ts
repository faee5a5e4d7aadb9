// Loaded first by main.ts, before any other module: what reports errors and traces must
// be set up before the code it watches is loaded. Without SENTRY_DSN and OTEL_EXPORTER_OTLP_ENDPOINT
// this does nothing.
// Tracing first: its instrumentations patch modules as they load (it does nothing without
// OTEL_EXPORTER_OTLP_ENDPOINT).
import './tracing';
import { initErrorTracking } from '@up/observability';

initErrorTracking({ app: 'bot' });
