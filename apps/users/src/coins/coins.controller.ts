import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  CoinChangeResult,
  CoinsPage,
  CreditCoinsDto,
  DebitCoinsDto,
  DebitCoinsManyDto,
  DebitCoinsManyResult,
  GetCoinsDto,
  USERS,
} from '@up/contracts';
import { CoinsService } from './coins.service';

@Controller()
export class CoinsController {
  constructor(private readonly coins: CoinsService) {}

  @MessagePattern(USERS.GET_COINS)
  getCoins(@Payload() dto: GetCoinsDto): Promise<CoinsPage> {
    return this.coins.getCoins(dto);
  }

  @MessagePattern(USERS.DEBIT_COINS)
  debit(@Payload() dto: DebitCoinsDto): Promise<CoinChangeResult> {
    return this.coins.debit(dto);
  }

  @MessagePattern(USERS.DEBIT_COINS_MANY)
  debitMany(@Payload() dto: DebitCoinsManyDto): Promise<DebitCoinsManyResult> {
    return this.coins.debitMany(dto);
  }

  @MessagePattern(USERS.CREDIT_COINS)
  credit(@Payload() dto: CreditCoinsDto): Promise<CoinChangeResult> {
    return this.coins.credit(dto);
  }
}
