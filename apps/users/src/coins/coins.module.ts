import { Module } from '@nestjs/common';
import { MembersStoreModule } from '../members/members-store.module';
import { CoinLedger } from './coin-ledger';
import { CoinTransactionsRepository } from './coin-transactions.repository';
import { CoinsController } from './coins.controller';
import { CoinsService } from './coins.service';

@Module({
  imports: [MembersStoreModule],
  controllers: [CoinsController],
  providers: [CoinLedger, CoinsService, CoinTransactionsRepository],
  exports: [CoinLedger, CoinsService],
})
export class CoinsModule {}
