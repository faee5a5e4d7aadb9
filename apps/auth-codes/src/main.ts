import './instrument';
import { busServerOf, createBusMicroservice } from '@up/bus';
import { loadConfig } from '@up/config';
import { runMain, startOpsServer } from '@up/health';
import { AppModule } from './app.module';
import { AuthCodesConfig } from './config/auth-codes.config';

void runMain('auth-codes', async () => {
  const config = loadConfig(AuthCodesConfig);
  const app = await createBusMicroservice(AppModule.forRoot(config), {
    service: 'auth-codes',
  });
  await app.listen();
  await startOpsServer(app, {
    port: config.OPS_PORT,
    host: config.OPS_HOST,
    bus: busServerOf(app),
  });
  return { shutdownTimeoutSeconds: config.SHUTDOWN_TIMEOUT_SECONDS };
});
