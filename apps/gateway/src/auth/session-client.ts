import { isIP } from 'node:net';
import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { SessionClientDto, USER_AGENT_MAX_LENGTH } from '@up/contracts';

/** The part of Fastify's request read here (Nest pins its own fastify typings). */
interface ClientRequest {
  ip?: string;
  headers: Record<string, string | string[] | undefined>;
}

/**
 * What a session records of the client that signs in or refreshes: its User-Agent, cut to
 * USER_AGENT_MAX_LENGTH, and its address as the rate limits see it (Fastify's `request.ip`, which
 * follows X-Forwarded-For only when TRUST_PROXY trusts the proxy). A forwarded value that is not
 * an IP address is left out rather than sent, so it can never fail the sign-in.
 */
export function sessionClientOf(request: ClientRequest): SessionClientDto {
  const userAgent = request.headers['user-agent'];
  const ip = request.ip;
  return {
    ...(typeof userAgent === 'string' && userAgent !== ''
      ? { user_agent: userAgent.slice(0, USER_AGENT_MAX_LENGTH) }
      : {}),
    ...(ip !== undefined && isIP(ip) !== 0 ? { ip } : {}),
  };
}

/** The client of this request, for the session a sign-in starts or a refresh carries on. */
export const SessionClient = createParamDecorator(
  (_data: unknown, context: ExecutionContext): SessionClientDto =>
    sessionClientOf(context.switchToHttp().getRequest<ClientRequest>()),
);
