// Loaded first by main.ts, before any other module: what reports errors (and, later, traces) must
// be set up before the code it watches is loaded. Without SENTRY_DSN this does nothing.
import { initErrorTracking } from '@up/observability';

initErrorTracking({ app: 'bot' });
