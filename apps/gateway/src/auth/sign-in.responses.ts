import { ApiProperty } from '@nestjs/swagger';
import { PrivateProfile } from '@up/contracts';

/** `POST /api/auth/token` and `/refresh`. */
export class TokenPairResponse {
  @ApiProperty({ description: 'JWT (HS256), send as `Authorization: Bearer <token>`' })
  access_token!: string;

  @ApiProperty({ description: 'Opaque; single use: each refresh returns the next one' })
  refresh_token!: string;

  @ApiProperty({ enum: ['bearer'] })
  token_type!: 'bearer';

  @ApiProperty({ description: 'Seconds until the access token expires', example: 900 })
  expires_in!: number;
}

/** `POST /api/auth/register`. */
export class RegisteredResponse extends TokenPairResponse {
  @ApiProperty({ type: PrivateProfile })
  user!: PrivateProfile;
}

/** `POST /api/auth/callback` and `/telegram`: `token` repeats `access_token`. */
export class SignedInResponse extends RegisteredResponse {
  @ApiProperty({ description: 'Same as access_token (older clients read this one)' })
  token!: string;
}

/** `POST /api/auth/generate-code`. */
export class GeneratedCodeResponse {
  @ApiProperty({ description: 'One-time login code' })
  code!: string;

  @ApiProperty({ example: 600 })
  expires_in!: number;

  @ApiProperty({ example: 'https://club.example/auth/callback?code=...' })
  url!: string;
}
