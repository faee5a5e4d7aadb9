import './tracing';
import { Logger } from 'nestjs-pino';
import { loadConfig } from '@up/config';
import { runMain } from '@up/health';
import { createGatewayApp } from './bootstrap';
import { GatewayConfig } from './config/gateway.config';

void runMain('gateway', async () => {
  const config = loadConfig(GatewayConfig);
  const app = await createGatewayApp(config);
  await app.listen({ port: config.PORT, host: config.HOST });
  app.get(Logger).log(`gateway listening on ${await app.getUrl()}`);
  return { shutdownTimeoutSeconds: config.SHUTDOWN_TIMEOUT_SECONDS };
});
