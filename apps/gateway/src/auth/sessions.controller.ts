import { Controller, Delete, Get, Header, HttpCode, Param, Post } from '@nestjs/common';
import {
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { BusClient } from '@up/bus';
import { AUTH, ErrorCode, SessionsResponse } from '@up/contracts';
import { UuidParamPipe } from '../events/uuid-param.pipe';
import { Authenticated, CurrentMember } from './auth.decorators';
import { AuthenticatedMember } from './authenticated-member';
import { RateLimit } from './rate-limit';

const SessionIdPipe = new UuidParamPipe({
  code: ErrorCode.SESSION_NOT_FOUND,
  message: 'Session not found',
});

/**
 * The caller's sessions (docs/api.md): each is a refresh-token family, i.e. one sign-in and the
 * refreshes that followed it. Every route needs the caller's own access token and reaches only
 * the caller's sessions, so there is nobody else to guess at; the writes count against the
 * member's budget of writes like any other.
 */
@ApiTags('Sign-in')
@Controller('api/auth')
@Authenticated()
export class SessionsController {
  constructor(private readonly bus: BusClient) {}

  @Get('sessions')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: "The caller's sessions, newest first",
    description:
      'Every sign-in still live (its refresh token neither revoked nor expired), with the client ' +
      'of its last use: the User-Agent and the network only (IPv4 /24, IPv6 /48). `current` marks ' +
      "the session of this request's access token.",
  })
  @ApiOkResponse({ type: SessionsResponse })
  async list(@CurrentMember() member: AuthenticatedMember): Promise<SessionsResponse> {
    const { sessions } = await this.bus.send(AUTH.LIST_SESSIONS, { member_id: member.id });
    return {
      sessions: sessions.map((session) => ({
        ...session,
        current: session.id === member.sessionId,
      })),
    };
  }

  @Delete('sessions/:id')
  @HttpCode(204)
  @RateLimit('writes')
  @ApiOperation({
    summary: 'End one of the caller’s sessions',
    description:
      'Its refresh token stops working at once; access tokens already issued in it run out ' +
      'within their lifetime (`expires_in`).',
  })
  @ApiParam({ name: 'id', format: 'uuid', description: 'Session id, from the list' })
  @ApiNoContentResponse({ description: 'Ended' })
  @ApiNotFoundResponse({
    description: 'No live session of the caller has this id (unknown, ended, or another member’s)',
  })
  async revoke(
    @Param('id', SessionIdPipe) sessionId: string,
    @CurrentMember() member: AuthenticatedMember,
  ): Promise<void> {
    await this.bus.send(AUTH.REVOKE_SESSION, { member_id: member.id, session_id: sessionId });
  }

  @Post('logout-all')
  @HttpCode(204)
  @RateLimit('writes')
  @ApiOperation({
    summary: 'End every session of the caller, this one included',
    description:
      'Every refresh token of the caller stops working; access tokens already issued run out ' +
      'within their lifetime.',
  })
  @ApiNoContentResponse({ description: 'Every session ended (also when there was none)' })
  async logoutAll(@CurrentMember() member: AuthenticatedMember): Promise<void> {
    await this.bus.send(AUTH.REVOKE_MEMBER_TOKENS, { member_id: member.id });
  }
}
