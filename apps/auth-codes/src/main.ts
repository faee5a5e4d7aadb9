import './tracing';
import { createBusMicroservice } from '@up/bus';
import { loadConfig } from '@up/config';
import { runMain } from '@up/health';
import { AppModule } from './app.module';
import { AuthCodesConfig } from './config/auth-codes.config';

void runMain('auth-codes', async () => {
  const config = loadConfig(AuthCodesConfig);
  const app = await createBusMicroservice(AppModule.forRoot(config), {
    service: 'auth-codes',
  });
  await app.listen();
  return { shutdownTimeoutSeconds: config.SHUTDOWN_TIMEOUT_SECONDS };
});
