import './instrument';
import { busServerOf, createBusMicroservice } from '@up/bus';
import { loadConfig } from '@up/config';
import { runMain, startOpsServer } from '@up/health';
import { AppModule } from './app.module';
import { UsersConfig } from './config/users.config';

void runMain('users', async () => {
  const config = loadConfig(UsersConfig);
  const app = await createBusMicroservice(AppModule.forRoot(config), {
    service: 'users',
  });
  await app.listen();
  await startOpsServer(app, {
    port: config.OPS_PORT,
    host: config.OPS_HOST,
    bus: busServerOf(app),
  });
  return { shutdownTimeoutSeconds: config.SHUTDOWN_TIMEOUT_SECONDS };
});
