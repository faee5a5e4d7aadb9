// class-transformer's @Type reads decorator metadata while the class is being defined.
import 'reflect-metadata';
import { applyDecorators } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsInt, IsPositive, Max } from 'class-validator';
import { TELEGRAM_ID_MAX } from '../auth/auth.limits';

/**
 * A `telegram_id`: a positive integer that a JS number holds exactly. With `fromString`, a numeric
 * string (a query string, the Login Widget's fields) is read as a number first; without it only a
 * number is accepted, as on the bus.
 */
export function IsTelegramId({ fromString = false }: { fromString?: boolean } = {}) {
  const rules = [
    ...(fromString ? [Type(() => Number)] : []),
    IsInt(),
    IsPositive(),
    Max(TELEGRAM_ID_MAX),
  ];
  // Applied bottom-up, as the same decorators stacked on the property would be: the validation
  // messages then keep their order.
  return applyDecorators(...rules.reverse());
}
