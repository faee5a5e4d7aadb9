import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { LinkTelegramDto, LinkTelegramResult, USERS } from '@up/contracts';
import { TelegramLinkService } from './telegram-link.service';

@Controller()
export class MergesController {
  constructor(private readonly link: TelegramLinkService) {}

  @MessagePattern(USERS.LINK_TELEGRAM)
  linkTelegram(@Payload() dto: LinkTelegramDto): Promise<LinkTelegramResult> {
    return this.link.link(dto);
  }
}
