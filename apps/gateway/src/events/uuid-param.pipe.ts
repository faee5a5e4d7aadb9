import { Injectable, PipeTransform } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { DomainError, ErrorCode } from '@up/contracts';

/**
 * A path id that is not a UUID cannot name anything, so it is answered like an unknown id (404
 * with the resource's not-found code), not as a malformed request. Same UUID rule as the services'
 * DTOs (`@IsUUID()`), so every id that passes here is accepted there.
 */
@Injectable()
export class UuidParamPipe implements PipeTransform<string, string> {
  constructor(
    private readonly notFound: { code: ErrorCode; message: string } = {
      code: ErrorCode.NOT_FOUND,
      message: 'Not found',
    },
  ) {}

  transform(value: string): string {
    if (!isUUID(value)) throw new DomainError(this.notFound.code, this.notFound.message);
    return value.toLowerCase();
  }
}

export const EventIdPipe = new UuidParamPipe({
  code: ErrorCode.EVENT_NOT_FOUND,
  message: 'Event not found',
});

export const MemberIdPipe = new UuidParamPipe({
  code: ErrorCode.MEMBER_NOT_FOUND,
  message: 'Member not found',
});
