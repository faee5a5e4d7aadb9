import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import Redis from 'ioredis';
import { ErrorCode } from '@up/contracts';
import { createTestRedisSpace, errorCodeOf, TestRedisSpace } from '@up/testing';
import { AuthCodesConfig } from '../config/auth-codes.config';
import { LoginCodesService } from './login-codes.service';

describe(LoginCodesService.name, () => {
  let space: TestRedisSpace;
  let redis: Redis;

  function newTestService(overrides: Partial<AuthCodesConfig> = {}) {
    const config = Object.assign(new AuthCodesConfig(), {
      REDIS_KEY_PREFIX: space.prefix,
      AUTH_CODE_TTL_SECONDS: 600,
      ...overrides,
    });
    return new LoginCodesService(redis, config);
  }

  /** The codes' keys (each member's index of codes lives beside them). */
  async function keysUnderPrefix(): Promise<string[]> {
    return redis.keys(`${space.prefix}:auth:login-code:*`);
  }

  const indexOf = (memberId: string) => `${space.prefix}:{auth:codes:${memberId}}`;

  beforeAll(() => {
    Logger.overrideLogger(false); // the warnings these tests provoke on purpose
    space = createTestRedisSpace();
    redis = new Redis(space.url);
  });

  afterEach(() => space.clear());

  afterAll(async () => {
    await space.clear();
    await redis.quit();
  });

  it('issues a 256-bit URL-safe code valid for AUTH_CODE_TTL_SECONDS', async () => {
    const sut = newTestService();
    const issued = await sut.issue({ member_id: randomUUID() });
    expect(issued.expires_in).toBe(600);
    expect(issued.code).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const [key] = await keysUnderPrefix();
    const ttl = await redis.ttl(key);
    expect(ttl).toBeGreaterThan(590);
    expect(ttl).toBeLessThanOrEqual(600);
  });

  it('never stores the code itself: the key is its SHA-256, the value names only the member', async () => {
    const sut = newTestService();
    const memberId = randomUUID();
    const { code } = await sut.issue({ member_id: memberId, telegram_id: 42 });
    const keys = await keysUnderPrefix();
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatch(new RegExp(`^${space.prefix}:auth:login-code:[0-9a-f]{64}$`));
    expect(keys[0]).not.toContain(code);
    const value = await redis.get(keys[0]);
    expect(value).toBe(`${memberId}:42`);
    expect(value).not.toContain(code);
    expect((await redis.zrange(indexOf(memberId), 0, -1)).join()).not.toContain(code);
  });

  describe('live codes per member', () => {
    it('keeps the 5 newest codes of a member: a 6th replaces the oldest', async () => {
      const sut = newTestService();
      const memberId = randomUUID();
      const codes: string[] = [];
      for (let i = 0; i < 7; i++) codes.push((await sut.issue({ member_id: memberId })).code);
      expect(await keysUnderPrefix()).toHaveLength(5);
      for (const code of codes.slice(0, 2)) {
        expect(await errorCodeOf(sut.redeem({ code }))).toBe(ErrorCode.INVALID_AUTH_CODE);
      }
      for (const code of codes.slice(2)) {
        await expect(sut.redeem({ code })).resolves.toEqual({ member_id: memberId });
      }
      // Redeemed codes leave the index with them: nothing of the member is left.
      expect(await redis.keys(`${space.prefix}:*`)).toEqual([]);
    });

    it('counts each member apart, also when many codes are asked for at once', async () => {
      const sut = newTestService({ AUTH_CODE_MAX_LIVE_PER_MEMBER: 3 });
      const [busy, other] = [randomUUID(), randomUUID()];
      const otherCode = (await sut.issue({ member_id: other })).code;
      await Promise.all(Array.from({ length: 40 }, () => sut.issue({ member_id: busy })));
      expect(await keysUnderPrefix()).toHaveLength(4);
      expect(await redis.zcard(indexOf(busy))).toBe(3);
      await expect(sut.redeem({ code: otherCode })).resolves.toEqual({ member_id: other });
    });

    it('lets the index expire with the codes it lists', async () => {
      const sut = newTestService();
      const memberId = randomUUID();
      await sut.issue({ member_id: memberId });
      const ttl = await redis.ttl(indexOf(memberId));
      expect(ttl).toBeGreaterThan(590);
      expect(ttl).toBeLessThanOrEqual(600);
    });
  });

  it('redeems a code once for its member', async () => {
    const sut = newTestService();
    const memberId = randomUUID();
    const { code } = await sut.issue({ member_id: memberId });
    await expect(sut.redeem({ code })).resolves.toEqual({ member_id: memberId });
    expect(await errorCodeOf(sut.redeem({ code }))).toBe(ErrorCode.INVALID_AUTH_CODE);
    expect(await keysUnderPrefix()).toEqual([]);
  });

  it('refuses an unknown code with the API wording', async () => {
    const sut = newTestService();
    await expect(sut.redeem({ code: 'no-such-code' })).rejects.toMatchObject({
      code: ErrorCode.INVALID_AUTH_CODE,
      status: 401,
      message: 'Invalid or expired auth code',
    });
  });

  it('lets a code expire after its TTL', async () => {
    const sut = newTestService({ AUTH_CODE_TTL_SECONDS: 1 });
    const { code } = await sut.issue({ member_id: randomUUID() });
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(await errorCodeOf(sut.redeem({ code }))).toBe(ErrorCode.INVALID_AUTH_CODE);
  });

  describe('telegram_id binding', () => {
    it('redeems when the presented telegram_id matches, or when none is presented', async () => {
      const sut = newTestService();
      const memberId = randomUUID();
      const first = await sut.issue({ member_id: memberId, telegram_id: 279058397 });
      await expect(sut.redeem({ code: first.code, telegram_id: 279058397 })).resolves.toEqual({
        member_id: memberId,
      });
      const second = await sut.issue({ member_id: memberId, telegram_id: 279058397 });
      await expect(sut.redeem({ code: second.code })).resolves.toEqual({ member_id: memberId });
    });

    it('refuses another telegram_id without consuming the code', async () => {
      const sut = newTestService();
      const memberId = randomUUID();
      const { code } = await sut.issue({ member_id: memberId, telegram_id: 1001 });
      expect(await errorCodeOf(sut.redeem({ code, telegram_id: 1002 }))).toBe(
        ErrorCode.INVALID_AUTH_CODE,
      );
      await expect(sut.redeem({ code, telegram_id: 1001 })).resolves.toEqual({
        member_id: memberId,
      });
    });

    it('refuses any telegram_id for a code issued to a member without Telegram', async () => {
      const sut = newTestService();
      const { code } = await sut.issue({ member_id: randomUUID() });
      expect(await errorCodeOf(sut.redeem({ code, telegram_id: 5 }))).toBe(
        ErrorCode.INVALID_AUTH_CODE,
      );
    });
  });

  it('lets exactly one of 50 concurrent redemptions of one code succeed', async () => {
    const sut = newTestService();
    // Separate connections, so the attempts really race inside Redis rather than queue on one socket.
    const connections = Array.from({ length: 10 }, () => new Redis(space.url));
    try {
      const services = connections.map(
        (connection) =>
          new LoginCodesService(
            connection,
            Object.assign(new AuthCodesConfig(), { REDIS_KEY_PREFIX: space.prefix }),
          ),
      );
      const memberId = randomUUID();
      const { code } = await sut.issue({ member_id: memberId });
      const outcomes = await Promise.allSettled(
        Array.from({ length: 50 }, (_, i) => services[i % services.length].redeem({ code })),
      );
      const won = outcomes.filter((o) => o.status === 'fulfilled');
      const lost = outcomes.filter((o) => o.status === 'rejected');
      expect(won).toHaveLength(1);
      expect((won[0] as PromiseFulfilledResult<{ member_id: string }>).value.member_id).toBe(
        memberId,
      );
      expect(lost).toHaveLength(49);
      for (const o of lost) {
        expect((o as PromiseRejectedResult).reason).toMatchObject({
          code: ErrorCode.INVALID_AUTH_CODE,
        });
      }
    } finally {
      await Promise.all(connections.map((connection) => connection.quit()));
    }
  });
});
