import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { loadConfig } from '@up/config';
import { runMain } from '@up/health';
import { AppModule } from './app.module';
import { BotConfig } from './config/bot.config';

void runMain('bot', async () => {
  const config = loadConfig(BotConfig);
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(config), {
    bufferLogs: true,
    abortOnError: false,
  });
  const logger = app.get(Logger);
  app.useLogger(logger);
  app.enableShutdownHooks();
  await app.init();
  if (!config.TELEGRAM_BOT_TOKEN) {
    logger.warn(
      'TELEGRAM_BOT_TOKEN is not set: the bot is idle (no Telegram connection) until it is.',
    );
    // Nothing else holds the event loop open without Telegram; a stop signal still ends the process.
    setInterval(() => undefined, 60 * 60 * 1000);
  }
  return { shutdownTimeoutSeconds: config.SHUTDOWN_TIMEOUT_SECONDS };
});
