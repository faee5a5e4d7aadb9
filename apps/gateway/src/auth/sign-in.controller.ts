import { Body, Controller, Headers, HttpCode, Post, Query, Req, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiConsumes,
  ApiCreatedResponse,
  ApiHeader,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import {
  CallbackDto,
  DomainError,
  ErrorCode,
  LoginDto,
  LogoutDto,
  RefreshDto,
  RegisterDto,
  SessionClientDto,
  TelegramLoginDto,
} from '@up/contracts';
import { AccessTokenService } from './access-token.service';
import { parseAuthorizationHeader } from './authorization-header';
import { RateLimit } from './rate-limit';
import { SessionClient } from './session-client';
import { SignInService } from './sign-in.service';
import {
  GeneratedCodeResponse,
  RegisteredResponse,
  SignedInResponse,
  TokenPairResponse,
} from './sign-in.responses';
import { TelegramAuthService } from './telegram-auth.service';

interface HeaderSink {
  header(name: string, value: string): unknown;
}

/** Sign-in routes of docs/api.md. Thin: the flows are in SignInService. */
@ApiTags('Sign-in')
@Controller('api/auth')
export class SignInController {
  constructor(
    private readonly signIn: SignInService,
    private readonly accessTokens: AccessTokenService,
    private readonly telegram: TelegramAuthService,
  ) {}

  @Post('register')
  @HttpCode(201)
  @RateLimit('register')
  @ApiOperation({ summary: 'Create an account with email and password (5 per minute per IP)' })
  @ApiCreatedResponse({ type: RegisteredResponse })
  @ApiBadRequestResponse({ description: 'Invalid email, or a password under 8 characters' })
  @ApiConflictResponse({ description: 'The email is taken' })
  register(
    @Body() body: RegisterDto,
    @SessionClient() client: SessionClientDto,
  ): Promise<RegisteredResponse> {
    return this.signIn.register(body, client);
  }

  @Post('token')
  @HttpCode(200)
  @RateLimit('token')
  @ApiOperation({
    summary: 'Log in with email and password (10 per minute per IP)',
    description:
      'JSON `{email, password}` or an OAuth2 password-grant form (`username`, `password`). ' +
      'An unknown email and a wrong password get the same 401. After 5 failed attempts for one ' +
      'email (registered or not), each further attempt must wait (1 s, doubling per failure, at ' +
      'most 15 min): one made sooner answers 429 with `Retry-After`, its password unchecked. A ' +
      'successful sign-in resets the count.',
  })
  @ApiConsumes('application/json', 'application/x-www-form-urlencoded')
  @ApiOkResponse({ type: TokenPairResponse })
  @ApiUnauthorizedResponse({ description: 'Invalid email or password' })
  token(
    @Body() body: LoginDto,
    @SessionClient() client: SessionClientDto,
    @Res({ passthrough: true }) reply: HeaderSink,
  ): Promise<TokenPairResponse> {
    return this.signIn.login(body, client, (seconds) =>
      reply.header('Retry-After', String(seconds)),
    );
  }

  @Post('refresh')
  @HttpCode(200)
  @RateLimit('refresh')
  @ApiOperation({
    summary: 'Exchange a refresh token for a new pair (30 per minute per IP)',
    description:
      'The refresh token presented stops working. Presenting one that was already exchanged ' +
      'revokes its whole family (every session started by the same sign-in).',
  })
  @ApiOkResponse({ type: TokenPairResponse })
  @ApiUnauthorizedResponse({ description: 'Unknown, expired, revoked or reused refresh token' })
  refresh(
    @Body() body: RefreshDto,
    @SessionClient() client: SessionClientDto,
  ): Promise<TokenPairResponse> {
    return this.signIn.refresh(body.refresh_token, client);
  }

  @Post('logout')
  @HttpCode(204)
  @RateLimit('logout')
  @ApiOperation({
    summary:
      "Revoke the refresh token's family (this sign-in, on every device it reached; 30 per minute per IP)",
  })
  @ApiNoContentResponse({ description: 'Logged out (also for a token that was unknown)' })
  async logout(@Body() body: LogoutDto): Promise<void> {
    await this.signIn.logout(body.refresh_token);
  }

  @Post('callback')
  @HttpCode(200)
  @RateLimit('callback')
  @ApiOperation({
    summary: 'Exchange a one-time login code for tokens (10 per minute per IP)',
    description:
      '`code` and optional `telegram_id` as query parameters or in a JSON body. A code works ' +
      'once, for 10 minutes; with `telegram_id` it must be the Telegram account it was issued for.',
  })
  @ApiOkResponse({ type: SignedInResponse })
  @ApiUnauthorizedResponse({ description: 'Invalid or expired auth code' })
  callback(
    @Query() query: CallbackDto,
    @Body() body: CallbackDto,
    @SessionClient() client: SessionClientDto,
  ): Promise<SignedInResponse> {
    return this.signIn.exchangeCode(query, body, client);
  }

  @Post('generate-code')
  @HttpCode(200)
  @RateLimit('generate_code')
  @ApiOperation({
    summary: 'A login code for the caller, to sign in on another device (10 per minute per IP)',
    description:
      'The caller proves who it is with `Authorization: Bearer <access token>` or with Telegram ' +
      'Mini App init data, `Authorization: tma <initData>` (at most 24 h old, and good for one ' +
      'call: a Mini App exchanges its first code for tokens and sends the access token after ' +
      'that). At most 5 codes of a member are live at once: a new one replaces the oldest.',
  })
  @ApiHeader({ name: 'Authorization', description: '`Bearer <access token>` or `tma <initData>`' })
  @ApiOkResponse({ type: GeneratedCodeResponse })
  @ApiUnauthorizedResponse({ description: 'Missing or invalid credentials' })
  async generateCode(
    @Headers('authorization') authorization: string | undefined,
    @Res({ passthrough: true }) reply: HeaderSink,
  ): Promise<GeneratedCodeResponse> {
    const credentials = parseAuthorizationHeader(authorization);
    if (credentials?.scheme === 'bearer') {
      return this.signIn.generateCode({
        member: this.verifyBearer(credentials.credentials, reply),
      });
    }
    if (credentials?.scheme === 'tma') {
      const { user } = await this.telegram.verifyInitData(credentials.credentials);
      return this.signIn.generateCode({ telegram: user });
    }
    reply.header('WWW-Authenticate', 'Bearer');
    throw new DomainError(
      ErrorCode.UNAUTHENTICATED,
      'Send Authorization: Bearer <access token> or Authorization: tma <initData>',
    );
  }

  @Post('telegram')
  @HttpCode(200)
  @RateLimit('telegram')
  @ApiOperation({
    summary: 'Sign in with the Telegram Login Widget (10 per minute per IP)',
    description:
      "The widget's fields as it returns them, checked against the bot token (auth_date at most " +
      '24 h old). Each signed payload works once. The member is created on first sign-in.',
  })
  @ApiOkResponse({ type: SignedInResponse })
  @ApiUnauthorizedResponse({
    description: 'The data is not signed by Telegram, too old, or already used',
  })
  async telegramLogin(
    @Body() _body: TelegramLoginDto,
    @Req() request: { body?: unknown },
    @SessionClient() client: SessionClientDto,
  ): Promise<SignedInResponse> {
    // The DTO validates the shape; the signature is checked over the body exactly as received,
    // so every field Telegram signed (including any the DTO does not know) is covered.
    const { user } = await this.telegram.verifyLoginWidget(request.body as Record<string, unknown>);
    return this.signIn.signInWithTelegram(user, client);
  }

  private verifyBearer(token: string, reply: HeaderSink) {
    try {
      return this.accessTokens.verify(token);
    } catch (error) {
      reply.header('WWW-Authenticate', 'Bearer');
      throw error;
    }
  }
}
