import { Module } from '@nestjs/common';
import { TransactionRunner } from '@up/database';
import { EventPublisher } from './event-publisher';

@Module({
  providers: [EventPublisher, TransactionRunner],
  exports: [EventPublisher, TransactionRunner],
})
export class SharedModule {}
