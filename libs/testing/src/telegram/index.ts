export * from './fake-telegram-bot-api';
export * from './qr-code';
export * from './telegram-types';
export * from './telegram-user.factory';
export type { RecordedFile } from './request-params';
export * from './send-accounting';
