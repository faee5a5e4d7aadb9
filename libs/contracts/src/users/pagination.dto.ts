import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { ToInt } from './dto-transforms';

export const DEFAULT_PAGE_LIMIT = 20;
export const MAX_PAGE_LIMIT = 100;

/** `limit` 1..100 and `offset` >= 0; both optional (defaults 20 and 0). Usable as a REST query. */
export class PageQueryDto {
  @IsOptional()
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_LIMIT)
  limit?: number;

  @IsOptional()
  @ToInt()
  @IsInt()
  @Min(0)
  offset?: number;
}
