import { CreateEventBody, EventView, MemberRole } from '@up/contracts';
import {
  ADMIN_TELEGRAM_ID,
  ClubFactory as PlatformClubFactory,
  ClubMember,
  inDays,
} from '@up/testing';
import { AccessTokenService } from '../../src/auth/access-token.service';

export interface TestMember extends ClubMember {
  token: string;
}

/**
 * The platform's club factory (members, roles, coins over the bus; `@up/testing`) for gateway
 * tests: every member comes with an access token from the gateway's own token service, and events
 * are created through `POST /api/v1/events`, as the web does.
 */
export class ClubFactory extends PlatformClubFactory {
  override async adminMember(): Promise<TestMember> {
    return this.withToken(await super.adminMember());
  }

  override async member(options: { coins?: number; role?: MemberRole } = {}): Promise<TestMember> {
    return this.withToken(await super.member(options));
  }

  /** An event created by `by` (an organizer made on the fly by default) through the gateway. */
  override async event(
    overrides: Partial<CreateEventBody> = {},
    by?: TestMember,
  ): Promise<EventView> {
    const organizer = by ?? (await this.member({ role: MemberRole.ORGANIZER }));
    const res = await this.platform.api.post<EventView>('/api/v1/events', {
      token: organizer.token,
      body: this.eventBody(overrides),
    });
    if (res.status !== 201) throw new Error(`event not created: ${res.status} ${res.text}`);
    return res.json;
  }

  private withToken(member: ClubMember): TestMember {
    const tokens = this.platform.app('gateway').get(AccessTokenService);
    return { ...member, token: tokens.issue({ id: member.id, role: member.role }).access_token };
  }
}

export { ADMIN_TELEGRAM_ID, inDays };
