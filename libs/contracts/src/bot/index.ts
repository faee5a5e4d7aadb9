export * from './bot.patterns';
export * from './broadcasts.dto';
