import { ApiProperty } from '@nestjs/swagger';

/** Where a page sits in its list: every paginated answer carries these beside its items. */
export class PageWindow {
  @ApiProperty({ type: 'integer', description: 'Items in the whole list' })
  total!: number;

  @ApiProperty({ type: 'integer' })
  limit!: number;

  @ApiProperty({ type: 'integer' })
  offset!: number;
}
