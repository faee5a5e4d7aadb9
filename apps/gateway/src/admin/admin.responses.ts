import { ApiProperty } from '@nestjs/swagger';
import {
  AdminMemberView,
  AdminUpdateMemberBodyDto,
  MEMBER_ROLES,
  MemberRole,
  SearchMembersResult,
  PageWindow,
} from '@up/contracts';
import { PrivateProfileResponse } from '../members/profile.responses';

// OpenAPI descriptions of the administration shapes (the contracts hold them as interfaces).

export class AdminMemberResponse extends PrivateProfileResponse implements AdminMemberView {
  @ApiProperty({ description: 'False once an admin deactivated the member' })
  is_active!: boolean;
}

export class SearchMembersResponse extends PageWindow implements SearchMembersResult {
  @ApiProperty({ type: [AdminMemberResponse] }) users!: AdminMemberResponse[];
}

/** The contract's body with its OpenAPI description (validation rules are inherited). */
export class AdminUpdateMemberBody extends AdminUpdateMemberBodyDto {
  @ApiProperty({ enum: MEMBER_ROLES, required: false })
  declare role?: MemberRole;

  @ApiProperty({ required: false, description: 'False deactivates the member' })
  declare is_active?: boolean;

  @ApiProperty({
    type: 'integer',
    required: false,
    description: 'Signed coin adjustment, written to the ledger; the balance never goes below 0',
  })
  declare coins_delta?: number;

  @ApiProperty({
    required: false,
    maxLength: 200,
    description: 'Required with coins_delta; recorded in the ledger',
  })
  declare reason?: string;
}
