import { Controller, INestMicroservice, Module } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { createBusMicroservice } from '@up/bus';
import { CommonEnv, ConfigModule, loadConfig } from '@up/config';
import {
  BOT,
  BroadcastView,
  ErrorCode,
  ListBroadcastsDto,
  ListBroadcastsResult,
} from '@up/contracts';
import { LoggingModule } from '@up/logging';
import { Platform, startPlatform } from '@up/testing';
import { ClubFactory, TestMember } from '../../test/factories/club.factory';
import { AdminBroadcastsController } from './admin-broadcasts.controller';

const BROADCAST: BroadcastView = {
  id: 'b-1',
  kind: 'announcement',
  event_id: '1f0c2b4e-7a5d-4c1e-9a43-2a9d0b7e6f11',
  title: 'Board games night',
  created_at: '2031-05-01T10:00:00.000Z',
  total: 3,
  queued: 1,
  sent: 1,
  failed: 0,
  blocked: 1,
  finished_at: null,
};

/** A stand-in for the bot's bus side: answers `bot.list_broadcasts` and records the requests. */
async function startBotStandIn(
  env: Readonly<Record<string, string>>,
  requests: ListBroadcastsDto[],
): Promise<INestMicroservice> {
  @Controller()
  class BotStandInController {
    @MessagePattern(BOT.LIST_BROADCASTS)
    list(@Payload() dto: ListBroadcastsDto): ListBroadcastsResult {
      requests.push(dto);
      return { broadcasts: [BROADCAST] };
    }
  }

  const config = loadConfig(CommonEnv, { ...env, BUS_CONSUMER_NAME: 'bot-stand-in' });
  @Module({
    imports: [ConfigModule.forRoot(CommonEnv, config), LoggingModule.forRoot('bot')],
    controllers: [BotStandInController],
  })
  class BotStandInModule {}

  const app = await createBusMicroservice(BotStandInModule, { service: 'bot' });
  await app.listen();
  return app;
}

describe(AdminBroadcastsController.name, () => {
  let platform: Platform;
  let admin: TestMember;
  let member: TestMember;
  let bot: INestMicroservice | undefined;
  const requests: ListBroadcastsDto[] = [];

  beforeAll(async () => {
    platform = await startPlatform({
      apps: ['gateway', 'users', 'auth-codes'],
      env: ClubFactory.env,
      // No bot at first: the gateway gives up quickly.
      appEnv: { gateway: { BUS_REQUEST_TIMEOUT_MS: '500' } },
    });
    const club = new ClubFactory(platform);
    admin = await club.adminMember();
    member = await club.member();
  }, 60_000);

  afterAll(async () => {
    await bot?.close();
    await platform?.close();
  });

  it('answers 503 while no bot replica answers', async () => {
    const res = await platform.api.get('/api/admin/broadcasts', { token: admin.token });
    expect([res.status, res.json.code]).toEqual([503, ErrorCode.SERVICE_UNAVAILABLE]);
  });

  it('lists the bot’s broadcasts for an admin, passing the limit (default 20)', async () => {
    bot = await startBotStandIn(platform.env, requests);
    requests.length = 0;

    const res = await platform.api.get<ListBroadcastsResult>('/api/admin/broadcasts', {
      token: admin.token,
    });
    const limited = await platform.api.get('/api/admin/broadcasts', {
      token: admin.token,
      query: { limit: 5 },
    });

    expect([res.status, res.json]).toEqual([200, { broadcasts: [BROADCAST] }]);
    expect(limited.status).toBe(200);
    expect(requests).toEqual([{ limit: 20 }, { limit: 5 }]);
  });

  it('answers 400 for a limit outside 1..100, and 403 to a member who is not an admin', async () => {
    const tooMany = await platform.api.get('/api/admin/broadcasts', {
      token: admin.token,
      query: { limit: 101 },
    });
    expect([tooMany.status, tooMany.json.code]).toEqual([400, ErrorCode.VALIDATION_FAILED]);
    const res = await platform.api.get('/api/admin/broadcasts', { token: member.token });
    expect([res.status, res.json.code]).toEqual([403, ErrorCode.FORBIDDEN]);
  });
});
