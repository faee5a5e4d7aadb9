import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsBoolean,
  IsInt,
  IsOptional,
  IsString,
  IsTimeZone,
  IsUrl,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
} from 'class-validator';
import { IsInstant, IsNotBefore } from './event-validators';

export const EVENT_TITLE_MAX = 200;
export const EVENT_DESCRIPTION_MAX = 5000;
export const EVENT_LOCATION_MAX = 500;
export const EVENT_IMAGE_URL_MAX = 2048;
export const EVENT_PRICE_MAX = 1_000_000;
export const EVENT_CAPACITY_MAX = 100_000;

const NOT_BLANK = /\S/;
const HTTP_URL = { protocols: ['http', 'https'], require_protocol: true };

/** Set when present; `null` is a value (clears the field). */
const isPresent = (_: object, value: unknown) => value !== undefined;
/** Validated when present and not null. */
const isGiven = (_: object, value: unknown) => value !== undefined && value !== null;

/** `POST /api/v1/events`: the event as an organizer describes it. */
export class CreateEventBody {
  @ApiProperty({ minLength: 1, maxLength: EVENT_TITLE_MAX, example: 'Founders breakfast' })
  @IsString()
  @MinLength(1)
  @MaxLength(EVENT_TITLE_MAX)
  @Matches(NOT_BLANK, { message: 'title must not be blank' })
  title!: string;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: EVENT_DESCRIPTION_MAX })
  @ValidateIf(isGiven)
  @IsString()
  @MaxLength(EVENT_DESCRIPTION_MAX)
  description?: string | null;

  @ApiProperty({ format: 'date-time', example: '2025-12-20T18:00:00.000Z' })
  @IsInstant()
  start_date!: string;

  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'Not before start_date.',
  })
  @ValidateIf(isGiven)
  @IsInstant()
  @IsNotBefore('start_date')
  end_date?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: EVENT_LOCATION_MAX })
  @ValidateIf(isGiven)
  @IsString()
  @MaxLength(EVENT_LOCATION_MAX)
  location?: string | null;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    maximum: EVENT_PRICE_MAX,
    default: 0,
    description: 'In UP coins.',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(EVENT_PRICE_MAX)
  price?: number;

  @ApiPropertyOptional({
    type: String,
    format: 'uri',
    nullable: true,
    maxLength: EVENT_IMAGE_URL_MAX,
  })
  @ValidateIf(isGiven)
  @IsString()
  @MaxLength(EVENT_IMAGE_URL_MAX)
  @IsUrl(HTTP_URL)
  image_url?: string | null;

  @ApiPropertyOptional({
    type: 'integer',
    nullable: true,
    minimum: 1,
    maximum: EVENT_CAPACITY_MAX,
    description: 'Seats; null or absent for unlimited.',
  })
  @ValidateIf(isGiven)
  @IsInt()
  @Min(1)
  @Max(EVENT_CAPACITY_MAX)
  capacity?: number | null;

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  is_active?: boolean;

  @ApiPropertyOptional({
    example: 'Europe/Moscow',
    description: 'IANA time zone the event takes place in; the platform default when absent.',
  })
  @IsOptional()
  @IsString()
  @IsTimeZone()
  timezone?: string;
}

/**
 * `PATCH /api/v1/events/{id}`: only the fields given change. Nullable fields take `null` to clear
 * them; the others refuse `null`. `end_date` is checked against the resulting `start_date`.
 */
export class UpdateEventBody {
  @ApiPropertyOptional({ minLength: 1, maxLength: EVENT_TITLE_MAX })
  @ValidateIf(isPresent)
  @IsString()
  @MinLength(1)
  @MaxLength(EVENT_TITLE_MAX)
  @Matches(NOT_BLANK, { message: 'title must not be blank' })
  title?: string;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: EVENT_DESCRIPTION_MAX })
  @ValidateIf(isGiven)
  @IsString()
  @MaxLength(EVENT_DESCRIPTION_MAX)
  description?: string | null;

  @ApiPropertyOptional({ format: 'date-time' })
  @ValidateIf(isPresent)
  @IsInstant()
  start_date?: string;

  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true })
  @ValidateIf(isGiven)
  @IsInstant()
  @IsNotBefore('start_date')
  end_date?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: EVENT_LOCATION_MAX })
  @ValidateIf(isGiven)
  @IsString()
  @MaxLength(EVENT_LOCATION_MAX)
  location?: string | null;

  @ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: EVENT_PRICE_MAX })
  @ValidateIf(isPresent)
  @IsInt()
  @Min(0)
  @Max(EVENT_PRICE_MAX)
  price?: number;

  @ApiPropertyOptional({ type: String, format: 'uri', nullable: true })
  @ValidateIf(isGiven)
  @IsString()
  @MaxLength(EVENT_IMAGE_URL_MAX)
  @IsUrl(HTTP_URL)
  image_url?: string | null;

  @ApiPropertyOptional({
    type: 'integer',
    nullable: true,
    minimum: 1,
    maximum: EVENT_CAPACITY_MAX,
    description: 'Not below the seats already taken.',
  })
  @ValidateIf(isGiven)
  @IsInt()
  @Min(1)
  @Max(EVENT_CAPACITY_MAX)
  capacity?: number | null;

  @ApiPropertyOptional()
  @ValidateIf(isPresent)
  @IsBoolean()
  is_active?: boolean;

  @ApiPropertyOptional({ example: 'Europe/Moscow' })
  @ValidateIf(isPresent)
  @IsString()
  @IsTimeZone()
  timezone?: string;
}
