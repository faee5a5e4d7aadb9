import './tracing';
import { createBusMicroservice } from '@up/bus';
import { loadConfig } from '@up/config';
import { runMain } from '@up/health';
import { AppModule } from './app.module';
import { UsersConfig } from './config/users.config';

void runMain('users', async () => {
  const config = loadConfig(UsersConfig);
  const app = await createBusMicroservice(AppModule.forRoot(config), {
    service: 'users',
  });
  await app.listen();
  return { shutdownTimeoutSeconds: config.SHUTDOWN_TIMEOUT_SECONDS };
});
