import { Body, Controller, Get, Param, Patch, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiQuery,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import { BusClient } from '@up/bus';
import {
  AdminMemberView,
  AdminUpdateMemberBodyDto,
  MemberRole,
  SearchMembersDto,
  SearchMembersResult,
  AUTH,
  USERS,
} from '@up/contracts';
import { AuthenticatedMember, CurrentMember, RateLimit, Roles } from '../auth';
import { MemberIdPipe } from '../events/uuid-param.pipe';

/** docs/api.md "Administration": members. */
@ApiTags('Administration')
@Controller('api/admin/users')
@Roles(MemberRole.ADMIN)
export class AdminUsersController {
  constructor(private readonly bus: BusClient) {}

  @Get()
  @ApiOperation({ summary: 'Search members by email, username, name or telegram id' })
  @ApiQuery({ name: 'search', required: false })
  @ApiOkResponse({ type: SearchMembersResult })
  @ApiBadRequestResponse({ description: 'limit outside 1..100 or a negative offset' })
  search(@Query() query: SearchMembersDto): Promise<SearchMembersResult> {
    return this.bus.send(USERS.SEARCH, {
      search: query.search,
      limit: query.limit,
      offset: query.offset,
    });
  }

  @Patch(':member_id')
  @RateLimit('admin_writes')
  @ApiOperation({
    summary:
      'Change a member’s role or activity, or adjust their coins (with a reason, in the ledger)',
  })
  @ApiParam({ name: 'member_id', format: 'uuid' })
  @ApiOkResponse({ type: AdminMemberView })
  @ApiBadRequestResponse({ description: 'Invalid fields, or coins_delta without a reason' })
  @ApiResponse({ status: 402, description: 'The adjustment would take the balance below 0' })
  @ApiNotFoundResponse({ description: 'Unknown member, or an id that is not a UUID' })
  async update(
    @Param('member_id', MemberIdPipe) memberId: string,
    @Body() body: AdminUpdateMemberBodyDto,
    @CurrentMember() admin: AuthenticatedMember,
  ): Promise<AdminMemberView> {
    const { profile } = await this.bus.send(USERS.ADMIN_UPDATE, {
      role: body.role,
      is_active: body.is_active,
      coins_delta: body.coins_delta,
      reason: body.reason,
      member_id: memberId,
      actor_id: admin.id,
    });
    // A deactivated member signs in nowhere any more: every refresh-token family ends now, and
    // the access tokens already issued run out within JWT_ACCESS_TTL.
    if (body.is_active === false) {
      await this.bus.send(AUTH.REVOKE_MEMBER_TOKENS, { member_id: memberId });
    }
    return profile;
  }
}
