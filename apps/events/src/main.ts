import './instrument';
import { busServerOf, createBusMicroservice } from '@up/bus';
import { loadConfig } from '@up/config';
import { runMain, startOpsServer } from '@up/health';
import { AppModule } from './app.module';
import { EventsConfig } from './config/events.config';

void runMain('events', async () => {
  const config = loadConfig(EventsConfig);
  const app = await createBusMicroservice(AppModule.forRoot(config), {
    service: 'events',
  });
  await app.listen();
  await startOpsServer(app, {
    port: config.OPS_PORT,
    host: config.OPS_HOST,
    bus: busServerOf(app),
  });
  return { shutdownTimeoutSeconds: config.SHUTDOWN_TIMEOUT_SECONDS };
});
