import { Module } from '@nestjs/common';
import { MembersStoreModule } from '../members/members-store.module';
import { CoinLedger } from './coin-ledger';
import { CoinsController } from './coins.controller';
import { CoinsService } from './coins.service';

@Module({
  imports: [MembersStoreModule],
  controllers: [CoinsController],
  providers: [CoinLedger, CoinsService],
  exports: [CoinLedger, CoinsService],
})
export class CoinsModule {}
