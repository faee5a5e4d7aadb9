import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DomainError, ErrorCode, MemberRole } from '@up/contracts';
import { AccessTokenService } from './access-token.service';
import { AuthenticatedMember, RequestWithMember } from './authenticated-member';
import { parseAuthorizationHeader } from './authorization-header';

export const AUTH_MODE_KEY = 'up:auth-mode';
export const ROLES_KEY = 'up:auth-roles';
export type AuthMode = 'required' | 'optional';

interface HeaderSink {
  header(name: string, value: string): unknown;
}

/**
 * Checks the Bearer access token of routes marked `@Authenticated()`, `@OptionalAuthentication()`
 * or `@Roles(...)`, and leaves the caller on the request for `@CurrentMember()`. With optional
 * authentication an absent token means an anonymous caller, but a present, invalid one is still
 * 401: a client holding a broken token should find out rather than silently see less.
 */
@Injectable()
export class AccessTokenGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: AccessTokenService,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    const roles = this.reflector.getAllAndOverride<MemberRole[] | undefined>(ROLES_KEY, targets);
    // A role requirement implies authentication, whatever mode a controller-level decorator set.
    const mode: AuthMode | undefined =
      roles && roles.length > 0
        ? 'required'
        : this.reflector.getAllAndOverride<AuthMode | undefined>(AUTH_MODE_KEY, targets);
    if (!mode) return true;

    const http = context.switchToHttp();
    const request = http.getRequest<RequestWithMember>();
    try {
      if (!request.authChecked) {
        request.member = this.authenticate(request, mode);
        request.authChecked = true;
      }
      if (mode === 'required' && !request.member) throw authenticationRequired();
    } catch (error) {
      http.getResponse<HeaderSink>().header('WWW-Authenticate', 'Bearer');
      throw error;
    }
    if (roles && roles.length > 0 && request.member && !roles.includes(request.member.role)) {
      throw new DomainError(
        ErrorCode.FORBIDDEN,
        'This needs one of the roles: ' + roles.join(', '),
      );
    }
    return true;
  }

  private authenticate(
    request: RequestWithMember,
    mode: AuthMode,
  ): AuthenticatedMember | undefined {
    const header = request.headers.authorization;
    if (header === undefined) {
      if (mode === 'optional') return undefined;
      throw authenticationRequired();
    }
    const parsed = parseAuthorizationHeader(header);
    if (!parsed || parsed.scheme !== 'bearer') {
      throw new DomainError(ErrorCode.UNAUTHENTICATED, 'Expected an Authorization: Bearer token');
    }
    return this.tokens.verify(parsed.credentials);
  }
}

function authenticationRequired(): DomainError {
  return new DomainError(ErrorCode.UNAUTHENTICATED, 'Authentication required');
}
