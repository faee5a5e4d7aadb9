import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PublicProfile } from '@up/contracts';

// The public profile route's own envelopes (the gateway builds them around the contract's shape).

export class PublicProfilePageResponse {
  @ApiProperty({ enum: [true] }) success!: true;
  @ApiProperty({ type: PublicProfile }) user!: PublicProfile;
}

export class PublicProfileNotFoundResponse {
  @ApiProperty({ enum: [false] }) success!: false;
  @ApiProperty({ example: 404 }) statusCode!: number;
  @ApiProperty() message!: string;
  @ApiPropertyOptional() detail?: string;
}
