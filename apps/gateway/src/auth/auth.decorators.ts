import {
  applyDecorators,
  createParamDecorator,
  ExecutionContext,
  SetMetadata,
  UseGuards,
} from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { MemberRole } from '@up/contracts';
import { AccessTokenGuard, AUTH_MODE_KEY, AuthMode, ROLES_KEY } from './access-token.guard';
import { RequestWithMember } from './authenticated-member';
import { STANDING_KEY, StandingGuard } from './standing.guard';

/** The OpenAPI security scheme name of the Bearer access token. */
export const BEARER_SCHEME = 'bearer';

/** The route needs a valid Bearer access token (401 otherwise). On a method or a controller. */
export function Authenticated(): ClassDecorator & MethodDecorator {
  return applyDecorators(
    SetMetadata<string, AuthMode>(AUTH_MODE_KEY, 'required'),
    UseGuards(AccessTokenGuard),
    ApiBearerAuth(BEARER_SCHEME),
    ApiUnauthorizedResponse({
      description: 'Missing, malformed, expired or tampered access token',
    }),
  );
}

/**
 * The route serves anonymous callers too; with a token, the caller is known (`@CurrentMember()`
 * may be undefined). A token that is present but invalid is still 401.
 */
export function OptionalAuthentication(): ClassDecorator & MethodDecorator {
  return applyDecorators(
    SetMetadata<string, AuthMode>(AUTH_MODE_KEY, 'optional'),
    UseGuards(AccessTokenGuard),
    ApiBearerAuth(BEARER_SCHEME),
  );
}

/**
 * The caller must be authenticated (401), active (403 MEMBER_INACTIVE) and hold one of these roles
 * now (403 otherwise): the role is the member's current one, not the token's (StandingGuard).
 */
export function Roles(...roles: MemberRole[]): ClassDecorator & MethodDecorator {
  return applyDecorators(
    SetMetadata(ROLES_KEY, roles),
    UseGuards(AccessTokenGuard, StandingGuard),
    ApiBearerAuth(BEARER_SCHEME),
    ApiUnauthorizedResponse({
      description: 'Missing, malformed, expired or tampered access token',
    }),
    ApiForbiddenResponse({
      description: `Needs the role ${roles.join(' or ')} now, and an active member`,
    }),
  );
}

/**
 * With `@Authenticated()`, on routes where the caller's role grants power beyond their own data
 * (an admin changing anyone's event): `@CurrentMember().role` is the member's current role, and a
 * deactivated member is refused (403 MEMBER_INACTIVE). `@Roles()` implies it.
 */
export function CurrentStanding(): ClassDecorator & MethodDecorator {
  return applyDecorators(
    SetMetadata(STANDING_KEY, true),
    UseGuards(AccessTokenGuard, StandingGuard),
  );
}

/**
 * The authenticated caller (`AuthenticatedMember {id, role}`); undefined on an anonymous call to an
 * `@OptionalAuthentication()` route.
 */
export const CurrentMember = createParamDecorator(
  (_data: unknown, context: ExecutionContext) =>
    context.switchToHttp().getRequest<RequestWithMember>().member,
);
