import { Module } from '@nestjs/common';
import { MembersModule } from '../members/members.module';
import { LoginHandler } from './login.handler';
import { LoginRateLimit } from './login-rate-limit';
import { LoginService } from './login.service';

@Module({
  imports: [MembersModule],
  providers: [LoginService, LoginHandler, LoginRateLimit],
})
export class LoginModule {}
