import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, Max, Min } from 'class-validator';
import { ToInt } from '../validation/dto-transforms';

export const MAX_PAGE_LIMIT = 100;
/** Members' lists (coins ledger, admin search). */
export const DEFAULT_PAGE_LIMIT = 20;

/**
 * `?limit=&offset=` of a paginated list, and the same fields of its bus message: `limit` 1..100
 * (default: the list's own), `offset` >= 0 (default 0). Query strings arrive as strings and ToInt
 * reads plain integers, so `limit=abc`, `limit=0` or `offset=-1` fail validation (400).
 *
 * A factory because each list documents its own default: `class X extends PageQuery(10) {}`.
 */
export function PageQuery(defaultLimit: number) {
  class PageQuery {
    @ApiPropertyOptional({
      type: 'integer',
      minimum: 1,
      maximum: MAX_PAGE_LIMIT,
      default: defaultLimit,
    })
    @ToInt()
    @IsInt()
    @Min(1)
    @Max(MAX_PAGE_LIMIT)
    limit?: number = defaultLimit;

    @ApiPropertyOptional({ type: 'integer', minimum: 0, default: 0 })
    @ToInt()
    @IsInt()
    @Min(0)
    offset?: number = 0;
  }
  return PageQuery;
}

/** A page of a members' list (default 20). */
export class PageQueryDto extends PageQuery(DEFAULT_PAGE_LIMIT) {}
