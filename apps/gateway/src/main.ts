import './instrument';
import { Logger } from 'nestjs-pino';
import { loadConfig } from '@up/config';
import { runMain, startOpsServer } from '@up/health';
import { createGatewayApp } from './bootstrap';
import { GatewayConfig } from './config/gateway.config';

void runMain('gateway', async () => {
  const config = loadConfig(GatewayConfig);
  const app = await createGatewayApp(config);
  await app.listen({ port: config.PORT, host: config.HOST });
  // Probes and scrapes also answer on the main port (/health, /ready, /metrics), as before.
  await startOpsServer(app, { port: config.OPS_PORT, host: config.OPS_HOST });
  app.get(Logger).log(`gateway listening on ${await app.getUrl()}`);
  return { shutdownTimeoutSeconds: config.SHUTDOWN_TIMEOUT_SECONDS };
});
