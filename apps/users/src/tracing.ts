// Imported first (by instrument.ts, which main.ts imports first): the instrumentations patch http, Fastify, pg and ioredis as they are
// loaded, so this runs before any of them is. Without OTEL_EXPORTER_OTLP_ENDPOINT it does nothing.
import { startTracing } from '@up/observability';

startTracing({ app: 'users' });
