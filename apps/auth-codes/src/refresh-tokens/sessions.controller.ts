import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  AUTH,
  ListSessionsDto,
  RevokedSession,
  RevokeSessionDto,
  SessionList,
} from '@up/contracts';
import { SessionsService } from './sessions.service';

@Controller()
export class SessionsController {
  constructor(private readonly sessions: SessionsService) {}

  @MessagePattern(AUTH.LIST_SESSIONS)
  list(@Payload() request: ListSessionsDto): Promise<SessionList> {
    return this.sessions.list(request);
  }

  @MessagePattern(AUTH.REVOKE_SESSION)
  revoke(@Payload() request: RevokeSessionDto): Promise<RevokedSession> {
    return this.sessions.revoke(request);
  }
}
