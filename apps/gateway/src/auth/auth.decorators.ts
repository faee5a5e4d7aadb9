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

/** The caller must be authenticated (401) and hold one of these roles (403 otherwise). */
export function Roles(...roles: MemberRole[]): ClassDecorator & MethodDecorator {
  return applyDecorators(
    SetMetadata(ROLES_KEY, roles),
    UseGuards(AccessTokenGuard),
    ApiBearerAuth(BEARER_SCHEME),
    ApiUnauthorizedResponse({
      description: 'Missing, malformed, expired or tampered access token',
    }),
    ApiForbiddenResponse({ description: `Needs the role ${roles.join(' or ')}` }),
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
