import './tracing';
import { createBusMicroservice } from '@up/bus';
import { loadConfig } from '@up/config';
import { runMain } from '@up/health';
import { AppModule } from './app.module';
import { EventsConfig } from './config/events.config';

void runMain('events', async () => {
  const config = loadConfig(EventsConfig);
  const app = await createBusMicroservice(AppModule.forRoot(config), {
    service: 'events',
  });
  await app.listen();
  return { shutdownTimeoutSeconds: config.SHUTDOWN_TIMEOUT_SECONDS };
});
