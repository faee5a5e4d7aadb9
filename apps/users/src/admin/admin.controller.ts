import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  AdminMemberResult,
  AdminUpdateMemberDto,
  SearchMembersDto,
  SearchMembersResult,
  USERS,
} from '@up/contracts';
import { AdminService } from './admin.service';

@Controller()
export class AdminController {
  constructor(private readonly admin: AdminService) {}

  @MessagePattern(USERS.SEARCH)
  search(@Payload() dto: SearchMembersDto): Promise<SearchMembersResult> {
    return this.admin.search(dto);
  }

  @MessagePattern(USERS.ADMIN_UPDATE)
  update(@Payload() dto: AdminUpdateMemberDto): Promise<AdminMemberResult> {
    return this.admin.update(dto);
  }
}
