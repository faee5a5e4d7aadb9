import { Module } from '@nestjs/common';
import { MembersModule } from '../members/members.module';
import { LoginHandler } from './login.handler';
import { LoginService } from './login.service';

@Module({
  imports: [MembersModule],
  providers: [LoginService, LoginHandler],
})
export class LoginModule {}
