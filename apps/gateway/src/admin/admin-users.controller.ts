import { Body, Controller, Get, Headers, Logger, Param, Patch, Query, Req } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiHeader,
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
import { adminLedgerKey, IDEMPOTENCY_KEY_HEADER } from './admin-idempotency';

/** docs/api.md "Administration": members. */
@ApiTags('Administration')
@Controller('api/admin/users')
@Roles(MemberRole.ADMIN)
export class AdminUsersController {
  private readonly logger = new Logger(AdminUsersController.name);

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
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description:
      'Makes a retried coin adjustment safe: a repeat with the same key (same member, coins_delta and reason) is applied once and answered like the first; without it, `X-Request-Id` serves as the key',
  })
  @ApiOkResponse({ type: AdminMemberView })
  @ApiBadRequestResponse({
    description: 'Invalid fields, coins_delta without a reason, or a malformed Idempotency-Key',
  })
  @ApiResponse({ status: 402, description: 'The adjustment would take the balance below 0' })
  @ApiNotFoundResponse({ description: 'Unknown member, or an id that is not a UUID' })
  @ApiConflictResponse({
    description: 'IDEMPOTENCY_KEY_REUSED: the key was used for another adjustment',
  })
  async update(
    @Param('member_id', MemberIdPipe) memberId: string,
    @Body() body: AdminUpdateMemberBodyDto,
    @CurrentMember() admin: AuthenticatedMember,
    @Headers(IDEMPOTENCY_KEY_HEADER) idempotencyKey: string | string[] | undefined,
    @Req() request: { id: string },
  ): Promise<AdminMemberView> {
    const { profile } = await this.bus.send(USERS.ADMIN_UPDATE, {
      role: body.role,
      is_active: body.is_active,
      coins_delta: body.coins_delta,
      reason: body.reason,
      member_id: memberId,
      actor_id: admin.id,
      // A retry after a timeout or a 503 must not credit twice (see adminLedgerKey).
      idempotency_key: adminLedgerKey({
        actorId: admin.id,
        idempotencyKey,
        requestId: request.id,
      }),
    });
    // The deactivation's own transaction raised the member's session epoch, so no refresh works
    // any more and the gateway's standing checks refuse their access tokens' powers at once.
    // Revoking the families too keeps the session list honest; it may fail without harm.
    if (body.is_active === false) {
      await this.bus
        .send(AUTH.REVOKE_MEMBER_TOKENS, { member_id: memberId })
        .catch((error: unknown) =>
          this.logger.warn(
            { err: error, memberId },
            'revoking a deactivated member’s sessions failed',
          ),
        );
    }
    return profile;
  }
}
