import './instrument';
import { Logger } from 'nestjs-pino';
import { busServerOf, createBusMicroservice } from '@up/bus';
import { loadConfig } from '@up/config';
import { runMain, startOpsServer } from '@up/health';
import { AppModule } from './app.module';
import { BotConfig } from './config/bot.config';

void runMain('bot', async () => {
  const config = loadConfig(BotConfig);
  // A bus service (service name `bot`, its own consumer groups) that also talks to Telegram.
  const app = await createBusMicroservice(AppModule.forRoot(config), { service: 'bot' });
  await app.listen();
  await startOpsServer(app, {
    port: config.OPS_PORT,
    host: config.OPS_HOST,
    bus: busServerOf(app),
  });
  if (!config.TELEGRAM_BOT_TOKEN) {
    // The bus connection keeps the process up; messages wait in the delivery queue meanwhile.
    app
      .get(Logger)
      .warn('TELEGRAM_BOT_TOKEN is not set: the bot is idle (no Telegram connection) until it is.');
  }
  return { shutdownTimeoutSeconds: config.SHUTDOWN_TIMEOUT_SECONDS };
});
