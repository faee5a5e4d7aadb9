import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DomainError, ErrorCode, MemberRole } from '@up/contracts';
import { AccessTokenGuard, ROLES_KEY } from './access-token.guard';
import { RequestWithMember } from './authenticated-member';
import { MemberStandings } from './member-standings';

export const STANDING_KEY = 'up:auth-standing';

/**
 * On routes where a role grants power (`@Roles(...)`, `@CurrentStanding()`), replaces the role the
 * access token carries with the member's current one and refuses a deactivated member (403
 * MEMBER_INACTIVE), so a demotion or deactivation takes effect at the next request rather than
 * when the token runs out. Authenticates first itself, whatever order the guards were declared in.
 */
@Injectable()
export class StandingGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly authentication: AccessTokenGuard,
    private readonly standings: MemberStandings,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    this.authentication.canActivate(context);
    const targets = [context.getHandler(), context.getClass()];
    const roles = this.reflector.getAllAndOverride<MemberRole[] | undefined>(ROLES_KEY, targets);
    const wanted =
      (roles !== undefined && roles.length > 0) ||
      this.reflector.getAllAndOverride<boolean | undefined>(STANDING_KEY, targets) === true;
    const request = context.switchToHttp().getRequest<RequestWithMember>();
    if (!wanted || !request.member || request.standingChecked) return true;

    const standing = await this.standings.of(request.member.id).catch((error: unknown) => {
      // A member deleted since the token was issued is nobody now.
      if (error instanceof DomainError && error.code === ErrorCode.MEMBER_NOT_FOUND) {
        throw new DomainError(ErrorCode.UNAUTHENTICATED, 'This member no longer exists');
      }
      throw error;
    });
    if (!standing.is_active) {
      throw new DomainError(ErrorCode.MEMBER_INACTIVE, 'This member is deactivated');
    }
    request.member = { ...request.member, role: standing.role };
    request.standingChecked = true;
    if (roles && roles.length > 0 && !roles.includes(standing.role)) {
      throw new DomainError(
        ErrorCode.FORBIDDEN,
        'This needs one of the roles: ' + roles.join(', '),
      );
    }
    return true;
  }
}
