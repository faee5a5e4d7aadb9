import { randomUUID } from 'node:crypto';
import { Controller, ExecutionContext, Get } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
import { DomainError, ErrorCode, MemberRole } from '@up/contracts';
import { GatewayConfig } from '../config/gateway.config';
import { AccessTokenGuard } from './access-token.guard';
import { accessTokenJwtOptions, AccessTokenService } from './access-token.service';
import { Authenticated, OptionalAuthentication, Roles } from './auth.decorators';
import { AuthenticatedMember, RequestWithMember } from './authenticated-member';

@Controller()
class ProbeController {
  @Get('required')
  @Authenticated()
  required(): string {
    return 'required';
  }

  @Get('optional')
  @OptionalAuthentication()
  optional(): string {
    return 'optional';
  }

  @Get('admin')
  @Roles(MemberRole.ADMIN)
  admin(): string {
    return 'admin';
  }

  @Get('public')
  open(): string {
    return 'open';
  }
}

@OptionalAuthentication()
@Controller()
class OptionalByDefaultController {
  @Get('organizers')
  @Roles(MemberRole.ORGANIZER, MemberRole.ADMIN)
  organizers(): string {
    return 'organizers';
  }
}

function newTestGuard() {
  const config = Object.assign(new GatewayConfig(), { JWT_SECRET: 'x'.repeat(40) });
  const tokens = new AccessTokenService(new JwtService(accessTokenJwtOptions(config)), config);
  return { sut: new AccessTokenGuard(new Reflector(), tokens), tokens };
}

function contextFor(
  controller: object,
  handler: string,
  authorization?: string,
): { context: ExecutionContext; request: RequestWithMember; headers: Record<string, string> } {
  const request: RequestWithMember = { headers: authorization ? { authorization } : {} };
  const headers: Record<string, string> = {};
  const response = { header: (name: string, value: string) => (headers[name] = value) };
  const context = {
    getHandler: () => (controller as Record<string, unknown>)[handler],
    getClass: () => controller.constructor,
    switchToHttp: () => ({ getRequest: () => request, getResponse: () => response }),
  } as unknown as ExecutionContext;
  return { context, request, headers };
}

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    return (error as DomainError).code;
  }
}

describe(AccessTokenGuard.name, () => {
  const probe = new ProbeController();
  const { sut, tokens } = newTestGuard();
  const member: AuthenticatedMember = { id: randomUUID(), role: MemberRole.MEMBER };
  const bearer = (m: AuthenticatedMember = member) => `Bearer ${tokens.issue(m).access_token}`;

  it('lets undecorated routes through without looking at the token', () => {
    expect(sut.canActivate(contextFor(probe, 'open', 'Bearer garbage').context)).toBe(true);
  });

  it('puts the verified member on the request', () => {
    const { context, request } = contextFor(probe, 'required', bearer());
    expect(sut.canActivate(context)).toBe(true);
    expect(request.member).toEqual(member);
  });

  it('accepts the scheme in any case', () => {
    const { context } = contextFor(probe, 'required', bearer().replace('Bearer', 'bEaReR'));
    expect(sut.canActivate(context)).toBe(true);
  });

  it('answers 401 with WWW-Authenticate when the token is missing, malformed or of another scheme', () => {
    for (const header of [
      undefined,
      'Bearer',
      'Bearer not.a.jwt',
      `Basic ${btoa('a:b')}`,
      'tma query_id=1',
    ]) {
      const { context, headers } = contextFor(probe, 'required', header);
      expect(codeOf(() => sut.canActivate(context))).toBe(ErrorCode.UNAUTHENTICATED);
      expect(headers['WWW-Authenticate']).toBe('Bearer');
    }
  });

  it('treats a missing token on an optional route as anonymous, but a bad one as 401', () => {
    const anonymous = contextFor(probe, 'optional');
    expect(sut.canActivate(anonymous.context)).toBe(true);
    expect(anonymous.request.member).toBeUndefined();
    expect(
      codeOf(() => sut.canActivate(contextFor(probe, 'optional', 'Bearer x.y.z').context)),
    ).toBe(ErrorCode.UNAUTHENTICATED);
  });

  it('answers 403 when the role does not match, 401 when nobody is signed in', () => {
    expect(codeOf(() => sut.canActivate(contextFor(probe, 'admin', bearer()).context))).toBe(
      ErrorCode.FORBIDDEN,
    );
    expect(codeOf(() => sut.canActivate(contextFor(probe, 'admin').context))).toBe(
      ErrorCode.UNAUTHENTICATED,
    );
    const admin = { id: randomUUID(), role: MemberRole.ADMIN };
    expect(sut.canActivate(contextFor(probe, 'admin', bearer(admin)).context)).toBe(true);
  });

  it('requires authentication for @Roles even under a controller-level @OptionalAuthentication', () => {
    const controller = new OptionalByDefaultController();
    expect(codeOf(() => sut.canActivate(contextFor(controller, 'organizers').context))).toBe(
      ErrorCode.UNAUTHENTICATED,
    );
    const organizer = { id: randomUUID(), role: MemberRole.ORGANIZER };
    expect(sut.canActivate(contextFor(controller, 'organizers', bearer(organizer)).context)).toBe(
      true,
    );
  });
});
