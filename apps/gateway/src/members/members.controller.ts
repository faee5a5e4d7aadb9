import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  NotFoundException,
  Param,
  Patch,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiNotModifiedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { BusClient, BusRemoteError } from '@up/bus';
import {
  CoinsPage,
  DEFAULT_PAGE_LIMIT,
  ErrorCode,
  isReferralCode,
  normalizeReferralCode,
  NotificationPreferences,
  NotificationPreferencesBodyDto,
  PageQueryDto,
  PrivateProfile,
  PUBLIC_PROFILE_FIELDS,
  PublicProfile,
  ReferralsResult,
  UpdateProfileBodyDto,
  USERS,
} from '@up/contracts';
import { Authenticated, CurrentMember } from '../auth/auth.decorators';
import { AuthenticatedMember } from '../auth/authenticated-member';
import { RateLimit } from '../auth/rate-limit';
import { ifNoneMatchMatches, profileETag } from './profile-etag';
import { PublicProfileNotFoundResponse, PublicProfilePageResponse } from './profile.responses';
import { ProfileVersions } from './profile-versions';

/** The part of Fastify's reply these routes use (Nest pins its own fastify typings). */
interface Reply {
  status(code: number): Reply;
  header(name: string, value: string): Reply;
  getHeader(name: string): number | string | string[] | undefined;
  send(body?: unknown): Reply;
}

const PRIVATE_CACHE_CONTROL = 'private, max-age=300';

/** Members routes of docs/api.md (the caller's profile, public profiles, referrals, coins). */
@ApiTags('Members')
@Controller('api/users')
export class MembersController {
  constructor(
    private readonly bus: BusClient,
    private readonly versions: ProfileVersions,
  ) {}

  @Get('me')
  @Authenticated()
  @ApiOperation({
    summary: "The caller's private profile",
    description:
      'Cached privately for 5 minutes; send the ETag back in `If-None-Match` to get 304 when ' +
      'nothing changed.',
  })
  @ApiHeader({ name: 'If-None-Match', required: false })
  @ApiOkResponse({ type: PrivateProfile })
  @ApiNotModifiedResponse({ description: 'The profile has not changed since that ETag' })
  async me(
    @CurrentMember() member: AuthenticatedMember,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Res() reply: Reply,
  ): Promise<void> {
    if (ifNoneMatch !== undefined) {
      // The cheap path: the version in Redis decides, the users service is not asked.
      const version = await this.versions.current(member.id);
      if (version !== undefined) {
        const etag = profileETag(member.id, version);
        if (ifNoneMatchMatches(ifNoneMatch, etag)) {
          this.cacheHeaders(reply, etag).status(304).send();
          return;
        }
      }
    }
    const { profile, version } = await this.bus.send(USERS.GET_PROFILE, { member_id: member.id });
    const etag = profileETag(member.id, version);
    this.cacheHeaders(reply, etag);
    if (ifNoneMatchMatches(ifNoneMatch, etag)) {
      reply.status(304).send();
      return;
    }
    reply.send(profile);
  }

  @Post('me/refresh')
  @RateLimit('writes')
  @HttpCode(200)
  @Authenticated()
  @ApiOperation({ summary: "The caller's private profile, read afresh from the users service" })
  @ApiOkResponse({ type: PrivateProfile })
  async refreshMe(
    @CurrentMember() member: AuthenticatedMember,
    @Res({ passthrough: true }) reply: Reply,
  ): Promise<PrivateProfile> {
    const { profile, version } = await this.bus.send(USERS.GET_PROFILE, { member_id: member.id });
    this.cacheHeaders(reply, profileETag(member.id, version));
    return profile;
  }

  @Patch('me')
  @RateLimit('writes')
  @Authenticated()
  @ApiOperation({ summary: "Update the caller's name, username or photo" })
  @ApiOkResponse({ type: PrivateProfile })
  async updateMe(
    @CurrentMember() member: AuthenticatedMember,
    @Body() body: UpdateProfileBodyDto,
    @Res({ passthrough: true }) reply: Reply,
  ): Promise<PrivateProfile> {
    const { profile, version } = await this.bus.send(USERS.UPDATE_PROFILE, {
      member_id: member.id,
      ...definedOnly(body),
    });
    this.cacheHeaders(reply, profileETag(member.id, version));
    return profile;
  }

  @Get('me/notifications')
  @Authenticated()
  @ApiOperation({ summary: 'Which Telegram notifications the caller gets' })
  @ApiOkResponse({ type: NotificationPreferences })
  async notifications(
    @CurrentMember() member: AuthenticatedMember,
  ): Promise<NotificationPreferences> {
    const settings = await this.bus.send(USERS.GET_NOTIFICATION_SETTINGS, { member_id: member.id });
    return preferencesOf(settings);
  }

  @Patch('me/notifications')
  @RateLimit('writes')
  @Authenticated()
  @ApiOperation({
    summary: 'Turn announcements of new events or reminders before joined events on or off',
  })
  @ApiOkResponse({ type: NotificationPreferences })
  @ApiBadRequestResponse({ description: 'A field that is not a boolean' })
  async updateNotifications(
    @CurrentMember() member: AuthenticatedMember,
    @Body() body: NotificationPreferencesBodyDto,
  ): Promise<NotificationPreferences> {
    const settings = await this.bus.send(USERS.UPDATE_NOTIFICATION_SETTINGS, {
      member_id: member.id,
      ...definedOnly({ announcements: body.announcements, reminders: body.reminders }),
    });
    return preferencesOf(settings);
  }

  @Get('u/:referral_code')
  @ApiOperation({ summary: "A member's public profile, by referral code (no authentication)" })
  @ApiParam({ name: 'referral_code', example: 'UP-7K2Q9Z' })
  @ApiOkResponse({ type: PublicProfilePageResponse })
  @ApiNotFoundResponse({ type: PublicProfileNotFoundResponse })
  async publicProfile(
    @Param('referral_code') referralCode: string,
  ): Promise<{ success: true; user: PublicProfile }> {
    const normalized = normalizeReferralCode(referralCode);
    // A malformed code cannot name anybody: answered without asking the users service.
    if (!isReferralCode(normalized)) throw referralCodeNotFound();
    let found: PublicProfile;
    try {
      found = await this.bus.send(USERS.GET_PUBLIC_BY_REFERRAL_CODE, { referral_code: normalized });
    } catch (error) {
      if (error instanceof BusRemoteError && error.code === ErrorCode.REFERRAL_CODE_NOT_FOUND) {
        throw referralCodeNotFound();
      }
      throw error;
    }
    return { success: true, user: publicFieldsOf(found) };
  }

  @Get('me/referrals')
  @Authenticated()
  @ApiOperation({ summary: 'Members the caller invited, with their count' })
  @ApiOkResponse({ type: ReferralsResult })
  async referrals(@CurrentMember() member: AuthenticatedMember): Promise<ReferralsResult> {
    const result = await this.bus.send(USERS.LIST_REFERRALS, { member_id: member.id });
    return { count: result.count, referrals: result.referrals.map(publicFieldsOf) };
  }

  @Get('me/coins')
  @Authenticated()
  @ApiOperation({ summary: "The caller's UP coins balance and ledger, newest first" })
  @ApiOkResponse({ type: CoinsPage })
  coins(
    @CurrentMember() member: AuthenticatedMember,
    @Query() page: PageQueryDto,
  ): Promise<CoinsPage> {
    return this.bus.send(USERS.GET_COINS, {
      member_id: member.id,
      limit: page.limit ?? DEFAULT_PAGE_LIMIT,
      offset: page.offset ?? 0,
    });
  }

  private cacheHeaders(reply: Reply, etag: string): Reply {
    // Added to what CORS already varies on (Origin), never in place of it.
    const vary = reply.getHeader('vary');
    return reply
      .header('ETag', etag)
      .header('Cache-Control', PRIVATE_CACHE_CONTROL)
      .header('Vary', vary ? `${String(vary)}, Authorization` : 'Authorization');
  }
}

/** docs/api.md's 404 for public profiles carries `success: false` beside the usual error body. */
function referralCodeNotFound(): NotFoundException {
  return new NotFoundException({
    success: false,
    code: ErrorCode.REFERRAL_CODE_NOT_FOUND,
    message: 'No member has this referral code',
  });
}

/** The allow-list again at the edge: whatever the service sends, only public fields leave. */
function publicFieldsOf(profile: PublicProfile): PublicProfile {
  return Object.fromEntries(
    PUBLIC_PROFILE_FIELDS.map((field) => [field, profile[field]]),
  ) as unknown as PublicProfile;
}

/** The web shows the switches; the language is the bot's setting. */
function preferencesOf(settings: NotificationPreferences): NotificationPreferences {
  return { announcements: settings.announcements, reminders: settings.reminders };
}

function definedOnly<T extends object>(values: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(values).filter(([, value]) => value !== undefined),
  ) as Partial<T>;
}
