import { Module } from '@nestjs/common';
import { RedisModule } from '../redis/redis.module';
import { LoginCodesController } from './login-codes.controller';
import { LoginCodesService } from './login-codes.service';

@Module({
  imports: [RedisModule],
  controllers: [LoginCodesController],
  providers: [LoginCodesService],
  exports: [LoginCodesService],
})
export class LoginCodesModule {}
