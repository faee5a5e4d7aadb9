import { Injectable, Logger } from '@nestjs/common';
import { BusClient, BusRemoteError } from '@up/bus';
import {
  AUTH,
  CallbackDto,
  DomainError,
  ErrorCode,
  LoginDto,
  MemberRole,
  PrivateProfile,
  RegisterDto,
  SessionClientDto,
  USERS,
} from '@up/contracts';
import { GatewayConfig } from '../config/gateway.config';
import { countSignIn } from '../metrics/sign-in.metrics';
import { AccessTokenService } from './access-token.service';
import { AuthenticatedMember } from './authenticated-member';
import { LoginFailures } from './login-failures';
import {
  GeneratedCodeResponse,
  RegisteredResponse,
  SignedInResponse,
  TokenPairResponse,
} from './sign-in.responses';
import { TelegramIdentity, telegramProfileFields } from './telegram-auth';

/**
 * The sign-in flows. The gateway issues access tokens itself; refresh tokens and login codes live
 * in the auth-codes service, members in the users service. Every sign-in records the login
 * (`users.record_login`, which also refuses a deactivated member) and starts a refresh-token
 * family, in that order: the family records the member's session epoch that `record_login`
 * answered. The family is the session: it records the client (`SessionClientDto`) at the sign-in
 * and at every refresh, and its id goes into the access tokens as `sid`.
 *
 * A refresh asks the users service for the member's standing after the rotation and refuses a
 * deactivated member, or a session started under an older epoch (the member was deactivated since,
 * even if reactivated by now). Deactivation raises the epoch in its own transaction, so a
 * rotation racing it either reads the old standing and hands out a token whose next refresh is
 * refused, or reads the new one and is refused now: no token issued after a deactivation works.
 */
@Injectable()
export class SignInService {
  private readonly logger = new Logger(SignInService.name);

  constructor(
    private readonly bus: BusClient,
    private readonly accessTokens: AccessTokenService,
    private readonly config: GatewayConfig,
    private readonly loginFailures: LoginFailures,
  ) {}

  register(request: RegisterDto, client: SessionClientDto): Promise<RegisteredResponse> {
    return countSignIn('register', () => this.registerAccount(request, client));
  }

  private async registerAccount(
    request: RegisterDto,
    client: SessionClientDto,
  ): Promise<RegisteredResponse> {
    const { profile } = await this.bus.send(USERS.REGISTER, {
      email: request.email,
      password: request.password,
      full_name: request.full_name,
      ...(request.referral_code ? { referral_code: request.referral_code } : {}),
    });
    const { user, tokens } = await this.startSession(profile.id, client);
    return { user, ...tokens };
  }

  /**
   * Password sign-in, behind the per-account failure counter (LoginFailures): while the email must
   * wait, the answer is 429 and `retryAfter` gets the seconds; the password is not checked.
   */
  login(
    request: LoginDto,
    client: SessionClientDto,
    retryAfter: (seconds: number) => void,
  ): Promise<TokenPairResponse> {
    return countSignIn('password', () => this.passwordSignIn(request, client, retryAfter));
  }

  private async passwordSignIn(
    request: LoginDto,
    client: SessionClientDto,
    retryAfter: (seconds: number) => void,
  ): Promise<TokenPairResponse> {
    const email = request.email ?? request.username;
    if (email === undefined) {
      throw new DomainError(ErrorCode.VALIDATION_FAILED, 'email (or username) is required');
    }
    const attempt = await this.loginFailures.attempt(email);
    if (!attempt.allowed) {
      retryAfter(attempt.retryAfterSeconds);
      throw new DomainError(
        ErrorCode.RATE_LIMITED,
        `Too many failed sign-ins, retry in ${attempt.retryAfterSeconds} seconds`,
      );
    }
    let profileId: string;
    try {
      const { profile } = await this.bus.send(USERS.VERIFY_CREDENTIALS, {
        email,
        password: request.password,
      });
      profileId = profile.id;
    } catch (error) {
      if (codeOf(error) !== ErrorCode.INVALID_CREDENTIALS) {
        await this.loginFailures.notAFailure(email);
      }
      throw error;
    }
    await this.loginFailures.succeeded(email);
    return (await this.startSession(profileId, client)).tokens;
  }

  refresh(refreshToken: string, client: SessionClientDto): Promise<TokenPairResponse> {
    return countSignIn('refresh', () => this.rotate(refreshToken, client));
  }

  private async rotate(refreshToken: string, client: SessionClientDto): Promise<TokenPairResponse> {
    const rotated = await this.bus.send(AUTH.ROTATE_REFRESH_TOKEN, {
      refresh_token: refreshToken,
      ...client,
    });
    // Role, activity and epoch as committed now: read after the rotation (see the class comment).
    const standing = await this.bus.send(USERS.GET_STANDING, { member_id: rotated.member_id });
    if (!standing.is_active || standing.session_epoch !== rotated.session_epoch) {
      await this.endSession(rotated.refresh_token);
      throw standing.is_active
        ? new DomainError(ErrorCode.INVALID_REFRESH_TOKEN, 'This session has ended: sign in again')
        : new DomainError(ErrorCode.MEMBER_INACTIVE, 'This member is deactivated');
    }
    return this.tokenPair({ id: standing.member_id, role: standing.role }, rotated);
  }

  async logout(refreshToken: string): Promise<void> {
    // Unknown tokens are answered the same way: logging out is idempotent.
    await this.bus.send(AUTH.REVOKE_REFRESH_TOKEN, { refresh_token: refreshToken });
  }

  /** Exchanges a one-time login code (query and JSON body merged, the body winning). */
  exchangeCode(
    query: CallbackDto,
    body: CallbackDto,
    client: SessionClientDto,
  ): Promise<SignedInResponse> {
    return countSignIn('login_code', () => this.redeemCode(query, body, client));
  }

  private async redeemCode(
    query: CallbackDto,
    body: CallbackDto,
    client: SessionClientDto,
  ): Promise<SignedInResponse> {
    const code = body.code ?? query.code;
    const telegramId = body.telegram_id ?? query.telegram_id;
    if (code === undefined) {
      throw new DomainError(ErrorCode.VALIDATION_FAILED, 'code is required', {
        code: ['code is required (query parameter or JSON body)'],
      });
    }
    const { member_id } = await this.bus.send(AUTH.REDEEM_LOGIN_CODE, {
      code,
      ...(telegramId === undefined ? {} : { telegram_id: telegramId }),
    });
    return this.signedIn(member_id, client);
  }

  /** A member vouched for by Telegram (Login Widget or Mini App): created on first sign-in. */
  signInWithTelegram(
    identity: TelegramIdentity,
    client: SessionClientDto,
  ): Promise<SignedInResponse> {
    return countSignIn('telegram', async () => {
      const { profile } = await this.upsertTelegramMember(identity);
      return this.signedIn(profile.id, client);
    });
  }

  /** A login code for a caller known by access token (`member`) or by Mini App init data. */
  async generateCode(
    caller: { member: AuthenticatedMember } | { telegram: TelegramIdentity },
  ): Promise<GeneratedCodeResponse> {
    const { profile } =
      'member' in caller
        ? await this.bus.send(USERS.GET_PROFILE, { member_id: caller.member.id })
        : await this.upsertTelegramMember(caller.telegram);
    const issued = await this.bus.send(AUTH.ISSUE_LOGIN_CODE, {
      member_id: profile.id,
      ...(profile.telegram_id === null ? {} : { telegram_id: profile.telegram_id }),
    });
    const base = this.config.WEB_APP_URL.replace(/\/+$/, '');
    return {
      code: issued.code,
      expires_in: issued.expires_in,
      url: `${base}/auth/callback?code=${encodeURIComponent(issued.code)}`,
    };
  }

  private upsertTelegramMember(identity: TelegramIdentity) {
    return this.bus.send(USERS.UPSERT_TELEGRAM, {
      telegram_id: identity.id,
      ...telegramProfileFields(identity),
    });
  }

  private async signedIn(memberId: string, client: SessionClientDto): Promise<SignedInResponse> {
    const { user, tokens } = await this.startSession(memberId, client);
    return { token: tokens.access_token, ...tokens, user };
  }

  /**
   * Records the login, then starts a refresh-token family under the session epoch it answered
   * (one after the other: the epoch has to be known before the family exists).
   */
  private async startSession(
    memberId: string,
    client: SessionClientDto,
  ): Promise<{ user: PrivateProfile; tokens: TokenPairResponse }> {
    const recorded = await this.bus.send(USERS.RECORD_LOGIN, { member_id: memberId });
    const refresh = await this.bus.send(AUTH.ISSUE_REFRESH_TOKEN, {
      member_id: memberId,
      session_epoch: recorded.session_epoch,
      ...client,
    });
    return {
      user: recorded.profile,
      tokens: this.tokenPair(recorded.profile, refresh),
    };
  }

  /**
   * Revokes the family of a token just rotated for a member whose session is over. Best effort:
   * the refresh is refused either way, and the epoch refuses every later use of the family.
   */
  private async endSession(refreshToken: string): Promise<void> {
    try {
      await this.bus.send(AUTH.REVOKE_REFRESH_TOKEN, { refresh_token: refreshToken });
    } catch (error) {
      this.logger.warn(
        { err: error },
        'ending a refused session failed; its epoch still refuses it',
      );
    }
  }

  /** The access token carries the session (`sid`) its refresh token belongs to. */
  private tokenPair(
    profile: { id: string; role: MemberRole },
    refresh: { refresh_token: string; session_id: string },
  ): TokenPairResponse {
    const { access_token, expires_in } = this.accessTokens.issue({
      id: profile.id,
      role: profile.role,
      sessionId: refresh.session_id,
    });
    return { access_token, refresh_token: refresh.refresh_token, token_type: 'bearer', expires_in };
  }
}

function codeOf(error: unknown): string | undefined {
  return error instanceof BusRemoteError || error instanceof DomainError ? error.code : undefined;
}
