import { Controller, Get, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { BusClient } from '@up/bus';
import {
  BOT,
  DEFAULT_BROADCASTS_LIMIT,
  ListBroadcastsDto,
  ListBroadcastsResult,
  MemberRole,
} from '@up/contracts';
import { Roles } from '../auth';

/** docs/api.md "Administration": the bot's broadcasts (announcements, reminders) and their progress. */
@ApiTags('Administration')
@Controller('api/admin/broadcasts')
@Roles(MemberRole.ADMIN)
export class AdminBroadcastsController {
  constructor(private readonly bus: BusClient) {}

  @Get()
  @ApiOperation({ summary: 'Recent broadcasts of the bot with their progress, newest first' })
  @ApiOkResponse({ type: ListBroadcastsResult })
  @ApiBadRequestResponse({ description: 'limit outside 1..100' })
  @ApiServiceUnavailableResponse({ description: 'No bot replica answered' })
  list(@Query() query: ListBroadcastsDto): Promise<ListBroadcastsResult> {
    return this.bus.send(BOT.LIST_BROADCASTS, { limit: query.limit ?? DEFAULT_BROADCASTS_LIMIT });
  }
}
